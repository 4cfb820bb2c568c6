#pragma once
// The fixture most end-to-end suites share: one real host for the whole suite (started before its
// first test, stopped after its last), a fresh account per test, and the caller's requests with its
// bearer token. Derive from it and name the accounts' label; a suite that needs a host with settings
// of its own declares its own SetUpTestSuite/TearDownTestSuite.
#include "e2e/e2e_helpers.hpp"

#include <string>

namespace socrates::test::e2e {

class HostSuite : public ::testing::Test {
 protected:
  explicit HostSuite(std::string user_label) : user_label_(std::move(user_label)) {}

  static void SetUpTestSuite() { host_ = new HostUnderTest(); }
  static void TearDownTestSuite() {
    delete host_;
    host_ = nullptr;
  }
  void SetUp() override {
    expect_host_started(host_);
    user_ = new_user(client(), user_label_);
  }
  void TearDown() override { expect_host_alive(host_); }

  HttpClient client() const { return host_->client(); }
  const std::string& token() const { return user_.access_token; }

  // The caller's request; a null body sends none.
  Response call(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr) const {
    return client().request(method, path, body.is_null() ? "" : body.dump(), bearer(token()));
  }
  // The same, expecting 200 or 201: its JSON body.
  nlohmann::json made(const std::string& method, const std::string& path, const nlohmann::json& body = nullptr) const {
    const auto response = call(method, path, body);
    EXPECT_TRUE(response.status == 200 || response.status == 201) << method << " " << path << "\n" << describe(response);
    return response.json();
  }
  // A new project of the caller: its id.
  std::string new_project(const nlohmann::json& body) const {
    const auto response = client().post("/api/v1/projects", body, token());
    EXPECT_EQ(response.status, 201) << describe(response);
    return response.json().value("id", "");
  }

  inline static HostUnderTest* host_ = nullptr;  // the running suite's host
  TestUser user_;

 private:
  std::string user_label_;
};

}  // namespace socrates::test::e2e
