#include "common/rulebook/rulebook_check.h"

#include <cmath>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "imh/eligibility/v1/portfolio.pb.h"

namespace imh {
namespace {

using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using ParseInfoTree = google::protobuf::TextFormat::ParseInfoTree;
using ParseLocation = google::protobuf::TextFormat::ParseLocation;
namespace rb = rulebook::v1;
namespace v1 = eligibility::v1;

// What the codes of a list or string field must name.
enum class Domain {
  kFreeText,
  kCategory,
  kState,
  kDegreeLevel,
  kServiceKind,
  kLeadershipLevel,
  kPopulation,
  kTrainingTopic,
  kReferenceRole,
};

// Field names are unique across the schema, so a field's name fixes its domain.
Domain DomainOf(absl::string_view field_name) {
  static const auto* const kDomains =
      new absl::flat_hash_map<absl::string_view, Domain>{
          {"residence_states", Domain::kState},
          {"population_focus", Domain::kPopulation},
          {"population_served", Domain::kPopulation},
          {"while_serving_population", Domain::kPopulation},
          {"accepted_levels", Domain::kDegreeLevel},
          {"degree_levels", Domain::kDegreeLevel},
          {"after_degree_levels", Domain::kDegreeLevel},
          {"while_providing_service_kinds", Domain::kServiceKind},
          {"provider_categories", Domain::kCategory},
          {"endorsed_rater_categories", Domain::kCategory},
          {"endorsed_categories", Domain::kCategory},
          {"rsc_categories", Domain::kCategory},
          {"service_kinds", Domain::kServiceKind},
          {"while_doing_service_kinds", Domain::kServiceKind},
          {"levels", Domain::kLeadershipLevel},
          {"topic", Domain::kTrainingTopic},
          {"roles", Domain::kReferenceRole},
      };
  const auto it = kDomains->find(field_name);
  return it == kDomains->end() ? Domain::kFreeText : it->second;
}

// The enum a domain's codes name, and the prefix its value names carry.
struct EnumDomain {
  const EnumDescriptor* descriptor;
  const char* prefix;
};

EnumDomain EnumOf(Domain domain) {
  switch (domain) {
    case Domain::kDegreeLevel:
      return {v1::DegreeLevel_descriptor(), "DEGREE_LEVEL_"};
    case Domain::kServiceKind:
      return {v1::ServiceKind_descriptor(), "SERVICE_KIND_"};
    case Domain::kLeadershipLevel:
      return {v1::LeadershipLevel_descriptor(), "LEADERSHIP_LEVEL_"};
    case Domain::kPopulation:
      return {v1::PopulationFocus_descriptor(), "POPULATION_FOCUS_"};
    case Domain::kTrainingTopic:
      return {v1::TrainingTopic_descriptor(), "TRAINING_TOPIC_"};
    case Domain::kReferenceRole:
      return {v1::ReferenceRole_descriptor(), "REFERENCE_ROLE_"};
    case Domain::kFreeText:
    case Domain::kCategory:
    case Domain::kState:
      break;
  }
  return {nullptr, ""};
}

// A message in the rulebook with its place in the text.
struct Node {
  const Message* message;
  const ParseInfoTree* tree;  // may be null
  std::string path;
  ParseLocation location;
};

class Checker {
 public:
  Checker(const rb::Rulebook& rulebook, const ParseInfoTree* tree)
      : root_{&rulebook, tree, "", ParseLocation(0, 0)} {
    for (const rb::Category& category : rulebook.categories()) {
      category_codes_.insert(absl::AsciiStrToUpper(category.code()));
    }
  }

  std::vector<std::string> Run() {
    CheckStructure();
    Walk(root_);
    return std::move(problems_);
  }

 private:
  void Report(const ParseLocation& location, absl::string_view path,
              absl::string_view problem) {
    std::string where;
    if (location.line >= 0) {
      where = absl::StrCat(location.line + 1, ":", location.column + 1, ": ");
    }
    problems_.push_back(
        absl::StrCat(where, path.empty() ? "rulebook" : path, ": ", problem));
  }

  // The child message in `field` (index -1 for a singular field).
  Node Child(const Node& parent, absl::string_view field_name,
             int index = -1) const {
    const FieldDescriptor* field =
        parent.message->GetDescriptor()->FindFieldByName(
            std::string(field_name));
    const Reflection* reflection = parent.message->GetReflection();
    const Message& child =
        index < 0
            ? reflection->GetMessage(*parent.message, field)
            : reflection->GetRepeatedMessage(*parent.message, field, index);
    Node node{&child, nullptr, Join(parent.path, field_name, index),
              parent.location};
    if (parent.tree != nullptr) {
      node.tree = parent.tree->GetTreeForNested(field, index);
      const ParseLocation at = parent.tree->GetLocation(field, index);
      if (at.line >= 0) node.location = at;
    }
    return node;
  }

  static std::string Join(absl::string_view path, absl::string_view field,
                          int index) {
    std::string joined =
        path.empty() ? std::string(field) : absl::StrCat(path, ".", field);
    if (index >= 0) absl::StrAppend(&joined, "[", index, "]");
    return joined;
  }

  bool Has(const Node& node, absl::string_view field_name) const {
    const FieldDescriptor* field =
        node.message->GetDescriptor()->FindFieldByName(std::string(field_name));
    const Reflection* reflection = node.message->GetReflection();
    return field->is_repeated()
               ? reflection->FieldSize(*node.message, field) > 0
               : reflection->HasField(*node.message, field);
  }

  void Require(const Node& node, absl::string_view field_name,
               absl::string_view why = "") {
    if (!Has(node, field_name)) {
      Report(node.location, node.path,
             absl::StrCat("missing ", field_name, why.empty() ? "" : " (", why,
                          why.empty() ? "" : ")"));
    }
  }

  // What each requirement block needs to be evaluable.
  void CheckStructure() {
    const auto& rulebook = static_cast<const rb::Rulebook&>(*root_.message);
    Require(root_, "version");
    Require(root_, "general");
    Require(root_, "categories");
    Require(root_, "renewal");
    if (rulebook.has_general()) {
      const Node general = Child(root_, "general");
      Require(general, "residence_states");
      Require(general, "population_focus");
      Require(general, "full_time_hours_per_week");
    }
    absl::flat_hash_set<std::string> seen;
    for (int i = 0; i < rulebook.categories_size(); ++i) {
      CheckCategory(Child(root_, "categories", i), &seen);
    }
    if (rulebook.has_renewal()) {
      const Node renewal = Child(root_, "renewal");
      for (const char* field : {"cycle_anchor_year", "cycle_period_years",
                                "training_hours_per_year", "rsc_hours_per_year",
                                "rsc_categories"}) {
        Require(renewal, field);
      }
    }
    Require(root_, "review");
    if (rulebook.has_review()) {
      const Node review = Child(root_, "review");
      Require(review, "required_reviewers");
      Require(review, "decision_valid_days");
    }
  }

  void CheckCategory(Node node, absl::flat_hash_set<std::string>* seen) {
    const auto& category = static_cast<const rb::Category&>(*node.message);
    absl::StrAppend(&node.path, "(", category.code(), ")");
    Require(node, "code");
    Require(node, "name");
    std::vector<std::string> codes = {category.code()};
    codes.insert(codes.end(), category.aliases().begin(),
                 category.aliases().end());
    for (const std::string& code : codes) {
      if (code.empty()) continue;
      if (!seen->insert(absl::AsciiStrToUpper(code)).second) {
        Report(node.location, node.path,
               absl::StrCat("code or alias \"", code, "\" is used twice"));
      }
    }
    Require(node, "references", "every category needs reference ratings");
    if (category.has_education()) {
      Require(Child(node, "education"), "accepted_levels");
    }
    if (category.has_training()) {
      const Node training = Child(node, "training");
      Require(training, "minimum_hours");
      for (int i = 0; i < category.training().buckets_size(); ++i) {
        const Node bucket = Child(training, "buckets", i);
        Require(bucket, "rule_id");
        Require(bucket, "topic");
        Require(bucket, "minimum_hours");
      }
    }
    if (category.has_rsc() && !category.rsc().optional()) {
      const Node rsc = Child(node, "rsc");
      for (const char* field :
           {"minimum_hours", "max_window_months", "min_span_months",
            "provider_categories", "while_doing_service_kinds"}) {
        Require(rsc, field);
      }
    }
    if (category.has_work()) {
      const Node work = Child(node, "work");
      Require(work, "requirements");
      for (int i = 0; i < category.work().requirements_size(); ++i) {
        const Node requirement = Child(work, "requirements", i);
        Require(requirement, "rule_id");
        Require(requirement, "service_kinds");
        Require(requirement, "minimum_months");
      }
      if (category.work().has_alternative() &&
          !category.work().alternative().cda()) {
        Require(Child(work, "alternative"), "degree_levels");
      }
    }
    if (category.has_leadership()) Require(Child(node, "leadership"), "levels");
    if (category.has_references()) {
      const Node references = Child(node, "references");
      for (const char* field : {"required_count", "endorsed_rater_categories",
                                "minimum_endorsed_raters", "patterns"}) {
        Require(references, field);
      }
      for (int p = 0; p < category.references().patterns_size(); ++p) {
        const Node pattern = Child(references, "patterns", p);
        Require(pattern, "slots");
        // Ratings are matched to slots exhaustively: keep that search small.
        if (category.references().patterns(p).slots_size() > kMaxSlots) {
          Report(pattern.location, pattern.path,
                 absl::StrCat("has more than ", kMaxSlots, " slots"));
        }
        for (int s = 0; s < category.references().patterns(p).slots_size();
             ++s) {
          // A slot is defined by the roles it accepts or, for one that
          // requires an endorsement, by what the rater holds.
          if (!category.references().patterns(p).slots(s).must_be_endorsed()) {
            Require(Child(pattern, "slots", s), "roles");
          } else if (category.references().patterns(p).slots(s).roles_size()) {
            const Node slot = Child(pattern, "slots", s);
            Report(slot.location, slot.path,
                   "roles are not read in a must_be_endorsed slot: any rater "
                   "the registry verifies fills it");
          }
        }
      }
    }
  }

  // Visits every set field: dated series and coded strings are checked where
  // they stand, whatever block holds them.
  void Walk(const Node& node) {
    const Reflection* reflection = node.message->GetReflection();
    std::vector<const FieldDescriptor*> fields;
    reflection->ListFields(*node.message, &fields);
    for (const FieldDescriptor* field : fields) {
      const Domain domain = DomainOf(field->name());
      if (field->type() == FieldDescriptor::TYPE_STRING) {
        if (domain == Domain::kFreeText) continue;
        const int count = field->is_repeated()
                              ? reflection->FieldSize(*node.message, field)
                              : 1;
        for (int i = 0; i < count; ++i) {
          const int index = field->is_repeated() ? i : -1;
          const std::string value =
              index < 0
                  ? reflection->GetString(*node.message, field)
                  : reflection->GetRepeatedString(*node.message, field, index);
          CheckCode(value, domain, LocationOf(node, field, index),
                    Join(node.path, field->name(), index));
        }
        continue;
      }
      if (field->type() != FieldDescriptor::TYPE_MESSAGE) continue;
      const int count = field->is_repeated()
                            ? reflection->FieldSize(*node.message, field)
                            : 1;
      for (int i = 0; i < count; ++i) {
        Node child = Child(node, field->name(), field->is_repeated() ? i : -1);
        const google::protobuf::Descriptor* type = field->message_type();
        if (type == rb::NumberParam::descriptor()) {
          CheckNumberParam(child, CountsWholeUnits(field->name()));
        } else if (type == rb::CodeListParam::descriptor()) {
          CheckCodeListParam(child, domain);
        } else {
          if (type == rb::Category::descriptor()) {
            absl::StrAppend(
                &child.path, "(",
                static_cast<const rb::Category&>(*child.message).code(), ")");
          }
          Walk(child);
        }
      }
    }
  }

  static ParseLocation LocationOf(const Node& node,
                                  const FieldDescriptor* field, int index) {
    if (node.tree == nullptr) return node.location;
    const ParseLocation at = node.tree->GetLocation(field, index);
    return at.line >= 0 ? at : node.location;
  }

  // Checks that a series has values with real, strictly increasing dates.
  template <typename Param>
  void CheckSeries(const Node& node, const Param& param) {
    if (param.values_size() == 0) {
      Report(node.location, node.path, "has no values");
      return;
    }
    std::string previous;
    for (int i = 0; i < param.values_size(); ++i) {
      const Node value = Child(node, "values", i);
      const std::string& from = param.values(i).effective_from();
      if (!ParseDay(from).ok()) {
        Report(value.location, value.path,
               absl::StrCat("effective_from \"", from,
                            "\" is not a date YYYY-MM-DD"));
        continue;
      }
      // ISO dates order as strings.
      if (!previous.empty() && from <= previous) {
        Report(
            value.location, value.path,
            absl::StrCat("effective_from ", from, " must be after ", previous));
      }
      previous = from;
    }
  }

  // Months, years and counts are used as whole numbers; hours may be
  // fractional.
  static bool CountsWholeUnits(absl::string_view field_name) {
    return absl::EndsWith(field_name, "_months") ||
           absl::EndsWith(field_name, "_year") ||
           absl::EndsWith(field_name, "_years") ||
           absl::EndsWith(field_name, "_count") ||
           absl::EndsWith(field_name, "_raters") ||
           absl::EndsWith(field_name, "_reviewers") ||
           absl::EndsWith(field_name, "_days") ||
           absl::EndsWith(field_name, "_families");
  }

  void CheckNumberParam(const Node& node, bool whole_units) {
    const auto& param = static_cast<const rb::NumberParam&>(*node.message);
    CheckSeries(node, param);
    for (int i = 0; i < param.values_size(); ++i) {
      const double value = param.values(i).value();
      const Node at = Child(node, "values", i);
      if (!std::isfinite(value) || value < 0) {
        Report(at.location, at.path,
               absl::StrCat("value ", value, " must be finite and >= 0"));
      } else if (whole_units && value != std::floor(value)) {
        Report(at.location, at.path,
               absl::StrCat("value ", value, " must be a whole number"));
      }
    }
  }

  void CheckCodeListParam(const Node& node, Domain domain) {
    const auto& param = static_cast<const rb::CodeListParam&>(*node.message);
    CheckSeries(node, param);
    for (int i = 0; i < param.values_size(); ++i) {
      const Node value = Child(node, "values", i);
      if (param.values(i).codes_size() == 0) {
        Report(value.location, value.path, "lists no codes");
      }
      for (int c = 0; c < param.values(i).codes_size(); ++c) {
        CheckCode(param.values(i).codes(c), domain, value.location,
                  Join(value.path, "codes", c));
      }
    }
  }

  void CheckCode(const std::string& code, Domain domain,
                 const ParseLocation& location, const std::string& path) {
    switch (domain) {
      case Domain::kFreeText:
        return;
      case Domain::kCategory:
        if (!category_codes_.contains(absl::AsciiStrToUpper(code))) {
          Report(location, path,
                 absl::StrCat("\"", code, "\" is not a category code"));
        }
        return;
      case Domain::kState:
        if (code.size() != 2 || !absl::ascii_isupper(code[0]) ||
            !absl::ascii_isupper(code[1])) {
          Report(location, path,
                 absl::StrCat("\"", code, "\" is not a two-letter state code"));
        }
        return;
      default:
        break;
    }
    // Empty means "no condition" where a single code is optional.
    if (code.empty()) return;
    const EnumDomain enum_domain = EnumOf(domain);
    const auto* value = enum_domain.descriptor->FindValueByName(
        absl::StrCat(enum_domain.prefix, code));
    if (value == nullptr || value->number() == 0) {
      Report(location, path,
             absl::StrCat("\"", code, "\" is not a ",
                          enum_domain.descriptor->name(), " (without ",
                          enum_domain.prefix, ")"));
    }
  }

  static constexpr int kMaxSlots = 6;

  Node root_;
  absl::flat_hash_set<std::string> category_codes_;
  std::vector<std::string> problems_;
};

// The first effective_from of every series below `message`, folded by max.
void LatestFirstEffective(const Message& message, std::string* latest) {
  const Reflection* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->type() != FieldDescriptor::TYPE_MESSAGE) continue;
    const int count =
        field->is_repeated() ? reflection->FieldSize(message, field) : 1;
    for (int i = 0; i < count; ++i) {
      const Message& child =
          field->is_repeated()
              ? reflection->GetRepeatedMessage(message, field, i)
              : reflection->GetMessage(message, field);
      std::string first;
      if (const auto* number = dynamic_cast<const rb::NumberParam*>(&child)) {
        if (number->values_size() > 0)
          first = number->values(0).effective_from();
      } else if (const auto* list =
                     dynamic_cast<const rb::CodeListParam*>(&child)) {
        if (list->values_size() > 0) first = list->values(0).effective_from();
      } else {
        LatestFirstEffective(child, latest);
      }
      if (first > *latest) *latest = first;
    }
  }
}

}  // namespace

std::vector<std::string> CheckRulebook(const rb::Rulebook& rulebook,
                                       const ParseInfoTree* locations) {
  return Checker(rulebook, locations).Run();
}

absl::CivilDay RulesInForceFrom(const rb::Rulebook& rulebook) {
  std::string latest = "0001-01-01";
  LatestFirstEffective(rulebook.general(), &latest);
  for (const rb::Category& category : rulebook.categories()) {
    LatestFirstEffective(category, &latest);
  }
  return ParseDay(latest).value_or(absl::CivilDay(1, 1, 1));
}

}  // namespace imh
