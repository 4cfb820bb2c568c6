#pragma once
// The project's specification document (GET /api/v1/projects/{id}/export, docs/domain.md
// "Exports"): built once as data from one snapshot, then rendered as the JSON export (the data
// itself, docs/export.schema.json), markdown, spec-kit's spec.md or Kiro's requirements.md.
//
// Other parts add their sections with one call each in build_document (see document.cpp):
// a section is its JSON member (under `json`) plus, for the markdown document, a titled block in
// `sections`. The renderers of spec-kit and Kiro read the members they know (`open_items`).
// Part of libs/dialogue (socrates_dialogue).

#include <socrates/dialogue/members.hpp>
#include <socrates/dialogue/requirements.hpp>
#include <socrates/engine/engine.hpp>
#include <socrates/sdk.hpp>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace socrates::agents::dialogue {

// A block of the markdown document after its requirements, conflicts and traceability.
struct MarkdownSection {
  std::string title;     // "Open items"
  std::string markdown;  // the body, without its heading
};

struct Document {
  nlohmann::json json;                         // the JSON export
  std::vector<TracedRequirement> requirements;  // the same requirements, typed, for the renderers
  std::vector<MarkdownSection> sections;        // added by other parts, in order
};

// Reads the caller's project (PROJECT_NOT_FOUND otherwise) and everything the document shows, in
// one transaction.
Document build_document(sdk::Db& db, const engine::Engine& engine, const std::string& project_id,
                        const Access& caller);

// The project's open items and assumptions (domain.md "Clarity and open items"):
// `json["open_items"]` = {"open":[open item...],"assumptions":[open item...]} and the section
// "Open items and assumptions"; spec-kit marks each open one with [NEEDS CLARIFICATION: …].
void add_open_items(sdk::Db& db, const std::string& project_id, Document& document);

// Each current specification that breaks a requirement-language rule, with the question that would
// sharpen it: `json["clarity_findings"]` (as `specifications` of GET .../clarity) and a section.
void add_clarity_findings(sdk::Db& db, const engine::Engine& engine, const std::string& project_id,
                          Document& document);

std::string render_markdown(const Document& document);
std::string render_spec_kit(const Document& document);
std::string render_kiro(const Document& document);

}  // namespace socrates::agents::dialogue
