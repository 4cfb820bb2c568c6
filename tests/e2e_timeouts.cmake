# Run by ctest after the discovered e2e tests are defined (tests/CMakeLists.txt): the test that builds
# the README's hello agent out of tree, twice (its second migration), needs more than the e2e default
# on a busy 2-core machine.
set_tests_properties(e2e.PluginPlatformE2eTest.ReadmeExampleBuildsAgainstTheInstalledSdkAndAnswersOverHttp
                     PROPERTIES TIMEOUT 300)
