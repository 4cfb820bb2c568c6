#pragma once
// Everything a Socrates agent plugin needs.
#include <socrates/sdk/base_agent.hpp>
#include <socrates/sdk/database.hpp>
#include <socrates/sdk/error.hpp>
#include <socrates/sdk/llm.hpp>
#include <socrates/sdk/plugin.hpp>
#include <socrates/sdk/result.hpp>
#include <socrates/sdk/services.hpp>
#include <socrates/sdk/validate.hpp>
#include <socrates/sdk/version.hpp>
