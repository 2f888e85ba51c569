#include "common/authz_policy.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/caller_identity.h"
#include "common/proto_files.h"

namespace imh {
namespace {

namespace pb = authz::v1;

// gRFC A43 string matching: "*" alone, "*suffix", "prefix*", or exact.
bool Matches(absl::string_view pattern, absl::string_view value) {
  if (pattern == "*") return true;
  if (absl::StartsWith(pattern, "*")) {
    return absl::EndsWith(value, pattern.substr(1));
  }
  if (absl::EndsWith(pattern, "*")) {
    return absl::StartsWith(value, pattern.substr(0, pattern.size() - 1));
  }
  return pattern == value;
}

bool SourceMatches(const pb::Rule& rule,
                   const std::vector<std::string>& principals,
                   bool authenticated) {
  if (!rule.has_source() || rule.source().principals().empty()) return true;
  for (const std::string& pattern : rule.source().principals()) {
    if (pattern == "*") {
      if (authenticated) return true;
      continue;
    }
    for (const std::string& principal : principals) {
      if (Matches(pattern, principal)) return true;
    }
  }
  return false;
}

bool RequestMatches(const pb::Rule& rule, absl::string_view method) {
  if (!rule.has_request() || rule.request().paths().empty()) return true;
  for (const std::string& pattern : rule.request().paths()) {
    if (Matches(pattern, method)) return true;
  }
  return false;
}

bool AnyMatches(const google::protobuf::RepeatedPtrField<pb::Rule>& rules,
                absl::string_view method,
                const std::vector<std::string>& principals,
                bool authenticated) {
  for (const pb::Rule& rule : rules) {
    if (SourceMatches(rule, principals, authenticated) &&
        RequestMatches(rule, method)) {
      return true;
    }
  }
  return false;
}

absl::Status CheckRules(
    const google::protobuf::RepeatedPtrField<pb::Rule>& rules,
    absl::string_view field) {
  for (int i = 0; i < rules.size(); ++i) {
    const pb::Rule& rule = rules[i];
    const std::string where = absl::StrCat(field, "[", i, "]");
    if (rule.name().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": has no name"));
    }
    for (const std::string& principal : rule.source().principals()) {
      if (principal.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ".source.principals: an empty principal"));
      }
    }
    for (const std::string& path : rule.request().paths()) {
      if (path.empty()) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ".request.paths: an empty path"));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<AuthorizationPolicy> AuthorizationPolicy::Parse(
    absl::string_view json) {
  pb::AuthorizationPolicy policy;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &policy,
      options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("authorization policy: ", std::string(parsed.message())));
  }
  if (policy.allow_rules().empty()) {
    return absl::InvalidArgumentError(
        "authorization policy: no allow_rules (it would refuse every call)");
  }
  if (absl::Status status = CheckRules(policy.deny_rules(), "deny_rules");
      !status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("authorization policy: ", status.message()));
  }
  if (absl::Status status = CheckRules(policy.allow_rules(), "allow_rules");
      !status.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("authorization policy: ", status.message()));
  }
  return AuthorizationPolicy(std::move(policy));
}

absl::StatusOr<AuthorizationPolicy> AuthorizationPolicy::Load(
    const std::string& path) {
  absl::StatusOr<std::string> text = ReadFileToString(path);
  if (!text.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read the authorization policy ", path));
  }
  absl::StatusOr<AuthorizationPolicy> policy = Parse(*text);
  if (!policy.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", policy.status().message()));
  }
  return policy;
}

bool AuthorizationPolicy::Allows(absl::string_view method,
                                 const std::vector<std::string>& principals,
                                 bool authenticated) const {
  if (AnyMatches(policy_.deny_rules(), method, principals, authenticated)) {
    return false;
  }
  return AnyMatches(policy_.allow_rules(), method, principals, authenticated);
}

grpc::Status AuthorizationPolicy::Check(const grpc::ServerContextBase& context,
                                        absl::string_view method) const {
  const CallerIdentity caller = IdentityOf(context);
  const std::vector<std::string>& principals = caller.principals;
  if (Allows(method, principals, caller.authenticated())) {
    return grpc::Status::OK;
  }
  return grpc::Status(
      grpc::StatusCode::PERMISSION_DENIED,
      absl::StrCat(principals.empty() ? std::string("an unauthenticated caller")
                                      : absl::StrJoin(principals, ", "),
                   " may not call ", method, " (policy ", policy_.name(), ")"));
}

std::vector<std::string> PeerPrincipals(
    const grpc::ServerContextBase& context) {
  return IdentityOf(context).principals;
}

}  // namespace imh
