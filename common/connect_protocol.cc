#include "common/connect_protocol.h"

#include <google/protobuf/any.pb.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>

#include <memory>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/caller_identity.h"
#include "common/json_text.h"
#include "google/rpc/status.pb.h"

namespace imh {
namespace {

// The JSON form of a detail whose type this process knows; empty otherwise.
std::string DebugJson(const google::protobuf::Any& any,
                      absl::string_view type_name) {
  const google::protobuf::Descriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(
          std::string(type_name));
  if (descriptor == nullptr) return "";
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(
          descriptor);
  if (prototype == nullptr) return "";
  std::unique_ptr<google::protobuf::Message> message(prototype->New());
  if (!message->ParseFromString(any.value())) return "";
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(*message, &json).ok()) {
    return "";
  }
  return json;
}

}  // namespace

int ConnectHttpStatus(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 200;
    case grpc::StatusCode::CANCELLED:
      return 499;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 400;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return 504;
    case grpc::StatusCode::NOT_FOUND:
      return 404;
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::ABORTED:
      return 409;
    case grpc::StatusCode::PERMISSION_DENIED:
      return 403;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return 429;
    case grpc::StatusCode::UNIMPLEMENTED:
      return 501;
    case grpc::StatusCode::UNAVAILABLE:
      return 503;
    case grpc::StatusCode::UNAUTHENTICATED:
      return 401;
    default:  // UNKNOWN, INTERNAL, DATA_LOSS
      return 500;
  }
}

std::string ConnectCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "ok";
    case grpc::StatusCode::CANCELLED:
      return "canceled";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "invalid_argument";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "deadline_exceeded";
    case grpc::StatusCode::NOT_FOUND:
      return "not_found";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "already_exists";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "permission_denied";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "resource_exhausted";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "failed_precondition";
    case grpc::StatusCode::ABORTED:
      return "aborted";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "out_of_range";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "unimplemented";
    case grpc::StatusCode::INTERNAL:
      return "internal";
    case grpc::StatusCode::UNAVAILABLE:
      return "unavailable";
    case grpc::StatusCode::DATA_LOSS:
      return "data_loss";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "unauthenticated";
    default:
      return "unknown";
  }
}

std::string ConnectErrorJson(const grpc::Status& status) {
  std::string json = "{\"code\":";
  AppendJsonString(json, ConnectCodeName(status.error_code()));
  if (!status.error_message().empty()) {
    json += ",\"message\":";
    AppendJsonString(json, status.error_message());
  }
  google::rpc::Status details;
  if (!status.error_details().empty() &&
      details.ParseFromString(status.error_details()) &&
      details.details_size() > 0) {
    json += ",\"details\":[";
    bool first = true;
    for (const google::protobuf::Any& any : details.details()) {
      const absl::string_view url = any.type_url();
      const size_t slash = url.rfind('/');
      const absl::string_view type_name =
          slash == absl::string_view::npos ? url : url.substr(slash + 1);
      if (!first) json += ',';
      first = false;
      json += "{\"type\":";
      AppendJsonString(json, type_name);
      std::string value;
      absl::Base64Escape(any.value(), &value);
      // Connect sends unpadded base64; its clients accept both.
      while (!value.empty() && value.back() == '=') value.pop_back();
      json += ",\"value\":";
      AppendJsonString(json, value);
      const std::string debug = DebugJson(any, type_name);
      if (!debug.empty()) absl::StrAppend(&json, ",\"debug\":", debug);
      json += '}';
    }
    json += ']';
  }
  json += '}';
  return json;
}

std::string ConnectErrorJson(grpc::StatusCode code, absl::string_view message) {
  return ConnectErrorJson(grpc::Status(code, std::string(message)));
}

bool IsForwardedHeader(const std::string& name) {
  static const auto* const kNotForwarded =
      new absl::flat_hash_set<std::string>{"accept",
                                           "accept-encoding",
                                           "accept-language",
                                           "authorization",
                                           "connection",
                                           "content-encoding",
                                           "content-length",
                                           "content-type",
                                           "cookie",
                                           "expect",
                                           "host",
                                           "keep-alive",
                                           "origin",
                                           "proxy-connection",
                                           "referer",
                                           "te",
                                           "trailer",
                                           "transfer-encoding",
                                           "upgrade",
                                           "user-agent",
                                           "via",
                                           "remote_addr",
                                           "remote_port",
                                           "local_addr",
                                           "local_port",
                                           "x-forwarded-for",
                                           "forwarded",
                                           "x-forwarded-host",
                                           "x-forwarded-proto",
                                           "sec-fetch-mode",
                                           "sec-fetch-site",
                                           "sec-fetch-dest",
                                           "sec-ch-ua",
                                           "cache-control",
                                           "pragma",
                                           "priority"};
  if (name.empty() || kNotForwarded->contains(name)) return false;
  if (absl::StartsWith(name, "connect-") || absl::StartsWith(name, "grpc-") ||
      absl::StartsWith(name, ":") || absl::EndsWith(name, "-bin") ||
      IsForwardingKey(name)) {
    return false;
  }
  for (const char c : name) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-' ||
          c == '_' || c == '.')) {
      return false;
    }
  }
  return true;
}

}  // namespace imh
