#include "common/http_gateway.h"

#include <arpa/inet.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/client_context.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/impl/codegen/proto_utils.h>
#include <httplib.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "common/caller_identity.h"
#include "common/connect_protocol.h"
#include "common/grpc_status.h"

namespace imh {
namespace {

using google::protobuf::Message;
using MessageStub = grpc::TemplatedGenericStub<Message, Message>;

enum class BodyFormat { kJson, kProto };

// "host:port" or "[v6]:port" -> host and port; false when malformed.
bool SplitHostPort(const std::string& address, std::string& host, int& port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return absl::SimpleAtoi(address.substr(colon + 1), &port) && port >= 0 &&
         port <= 65535;
}

std::string AsnText(const ASN1_STRING* text) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(text)),
                     static_cast<size_t>(ASN1_STRING_length(text)));
}

// As gRPC names a TLS peer: every subject alternative name (DNS, URI, email,
// IP) when the certificate has any, else its common name.
std::vector<std::string> CertificatePrincipals(X509* certificate) {
  std::vector<std::string> principals;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(certificate, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    switch (name->type) {
      case GEN_DNS:
      case GEN_URI:
      case GEN_EMAIL:
        principals.push_back(AsnText(name->d.ia5));
        break;
      case GEN_IPADD: {
        const int length = ASN1_STRING_length(name->d.ip);
        char text[INET6_ADDRSTRLEN] = {};
        if ((length == 4 || length == 16) &&
            inet_ntop(length == 4 ? AF_INET : AF_INET6,
                      ASN1_STRING_get0_data(name->d.ip), text,
                      sizeof(text)) != nullptr) {
          principals.emplace_back(text);
        }
        break;
      }
      default:
        break;
    }
  }
  GENERAL_NAMES_free(names);
  if (!principals.empty()) return principals;
  const X509_NAME* subject = X509_get_subject_name(certificate);
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index >= 0) {
    principals.push_back(
        AsnText(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index))));
  }
  return principals;
}

// The verified client certificate's identities; none without TLS or a
// certificate.
CallerIdentity IdentityOfHttpPeer(const httplib::Request& request) {
  CallerIdentity identity;
  if (request.ssl == nullptr) return identity;
  X509* certificate = SSL_get1_peer_certificate(request.ssl);
  if (certificate == nullptr) return identity;
  if (SSL_get_verify_result(request.ssl) == X509_V_OK) {
    identity.principals = CertificatePrincipals(certificate);
  }
  X509_free(certificate);
  return identity;
}

void WriteErrorResponse(httplib::Response& response,
                        const grpc::Status& status) {
  response.status = ConnectHttpStatus(status.error_code());
  response.set_content(ConnectErrorJson(status), "application/json");
}

// The body's format from its Content-Type; false for any other type.
bool FormatOf(const httplib::Request& request, BodyFormat& format) {
  std::string type = absl::AsciiStrToLower(
      request.get_header_value("Content-Type")
          .substr(0, request.get_header_value("Content-Type").find(';')));
  absl::StripAsciiWhitespace(&type);
  if (type == "application/json") {
    format = BodyFormat::kJson;
    return true;
  }
  if (type == "application/proto") {
    format = BodyFormat::kProto;
    return true;
  }
  return false;
}

// What gRPC accepts as the value of a text (non "-bin") metadata key:
// printable ASCII. Other headers are not forwarded.
bool IsMetadataValue(const std::string& value) {
  for (const char c : value) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// Request headers onto the call: custom headers as metadata, the Connect
// timeout as the deadline. An error status when a header is malformed.
grpc::Status PrepareContext(const httplib::Request& request,
                            grpc::ClientContext& context) {
  for (const auto& [name, value] : request.headers) {
    const std::string key = absl::AsciiStrToLower(name);
    if (key == "connect-timeout-ms") {
      int64_t milliseconds = 0;
      if (value.empty() || value.size() > 10 ||
          !absl::SimpleAtoi(value, &milliseconds) || milliseconds <= 0) {
        return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                            "Connect-Timeout-Ms must be 1 to 10 digits");
      }
      context.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::milliseconds(milliseconds));
    } else if (key == "connect-protocol-version" && value != "1") {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "Connect-Protocol-Version must be 1");
    } else if (IsForwardedHeader(key) && IsMetadataValue(value)) {
      context.AddMetadata(key, value);
    }
  }
  ForwardIdentity(IdentityOfHttpPeer(request), context);
  return grpc::Status::OK;
}

bool IsPrintableMetadata(const grpc::string_ref& key) {
  const absl::string_view name(key.data(), key.size());
  return !absl::EndsWith(name, "-bin") && !absl::StartsWith(name, "grpc-");
}

// The method's metadata as response headers (trailers prefixed "trailer-",
// as Connect's unary form sends them on success).
void CopyMetadata(const grpc::ClientContext& context, bool succeeded,
                  httplib::Response& response) {
  for (const auto& [key, value] : context.GetServerInitialMetadata()) {
    if (!IsPrintableMetadata(key)) continue;
    response.set_header(std::string(key.data(), key.size()),
                        std::string(value.data(), value.size()));
  }
  for (const auto& [key, value] : context.GetServerTrailingMetadata()) {
    if (!IsPrintableMetadata(key)) continue;
    response.set_header(absl::StrCat(succeeded ? "trailer-" : "",
                                     absl::string_view(key.data(), key.size())),
                        std::string(value.data(), value.size()));
  }
}

void ServeUnary(const google::protobuf::MethodDescriptor& method,
                const std::string& path, MessageStub& stub,
                const httplib::Request& request, httplib::Response& response) {
  BodyFormat format = BodyFormat::kJson;
  if (!FormatOf(request, format)) {
    response.status = 415;
    response.set_content(
        ConnectErrorJson(grpc::StatusCode::UNIMPLEMENTED,
                         "Content-Type must be application/json or "
                         "application/proto"),
        "application/json");
    return;
  }
  const std::string encoding =
      absl::AsciiStrToLower(request.get_header_value("Content-Encoding"));
  if (!encoding.empty() && encoding != "identity") {
    WriteErrorResponse(
        response,
        grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                     absl::StrCat("Content-Encoding ", encoding,
                                  " is not supported; send identity")));
    return;
  }
  google::protobuf::MessageFactory* factory =
      google::protobuf::MessageFactory::generated_factory();
  std::unique_ptr<Message> input(
      factory->GetPrototype(method.input_type())->New());
  std::unique_ptr<Message> output(
      factory->GetPrototype(method.output_type())->New());
  if (format == BodyFormat::kJson) {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    const auto parsed = google::protobuf::util::JsonStringToMessage(
        request.body.empty() ? "{}" : request.body, input.get(), options);
    if (!parsed.ok()) {
      // Not a field's value but the body itself: a violation without a
      // field path.
      WriteErrorResponse(
          response,
          InvalidArgument({{"", absl::StrCat("the body is not a JSON ",
                                             method.input_type()->name(), ": ",
                                             std::string(parsed.message()))}}));
      return;
    }
  } else if (!input->ParseFromString(request.body)) {
    WriteErrorResponse(
        response,
        InvalidArgument({{"", absl::StrCat("the body is not a binary ",
                                           method.input_type()->name())}}));
    return;
  }

  grpc::ClientContext context;
  if (grpc::Status bad = PrepareContext(request, context); !bad.ok()) {
    WriteErrorResponse(response, bad);
    return;
  }
  grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(&context, path, grpc::StubOptions(), input.get(), output.get(),
                 [&](grpc::Status result) {
                   status = std::move(result);
                   done.Notify();
                 });
  done.WaitForNotification();
  CopyMetadata(context, status.ok(), response);
  if (!status.ok()) {
    WriteErrorResponse(response, status);
    return;
  }
  response.status = 200;
  if (format == BodyFormat::kProto) {
    response.set_content(output->SerializeAsString(), "application/proto");
    return;
  }
  std::string json;
  const auto printed =
      google::protobuf::util::MessageToJsonString(*output, &json);
  if (!printed.ok()) {
    WriteErrorResponse(response, grpc::Status(grpc::StatusCode::INTERNAL,
                                              std::string(printed.message())));
    return;
  }
  response.set_content(json, "application/json");
}

}  // namespace

absl::StatusOr<std::unique_ptr<HttpGateway>> HttpGateway::Create(
    HttpGatewayOptions options) {
  std::unique_ptr<HttpGateway> gateway(new HttpGateway());
  const ServerTlsFiles& tls = options.tls;
  if (UsesTls(tls)) {
    if (tls.cert.empty() || tls.key.empty()) {
      return absl::InvalidArgumentError(
          "the HTTP port's TLS needs both a certificate and its key");
    }
    const bool require = options.require_client_certificate;
    auto server = std::make_unique<httplib::SSLServer>([&tls, require](
                                                           SSL_CTX& context) {
      SSL_CTX_set_min_proto_version(&context, TLS1_2_VERSION);
      if (SSL_CTX_use_certificate_chain_file(&context, tls.cert.c_str()) != 1 ||
          SSL_CTX_use_PrivateKey_file(&context, tls.key.c_str(),
                                      SSL_FILETYPE_PEM) != 1 ||
          SSL_CTX_check_private_key(&context) != 1) {
        return false;
      }
      if (tls.client_ca.empty()) return true;
      STACK_OF(X509_NAME)* names =
          SSL_load_client_CA_file(tls.client_ca.c_str());
      if (names == nullptr ||
          SSL_CTX_load_verify_locations(&context, tls.client_ca.c_str(),
                                        nullptr) != 1) {
        if (names != nullptr) sk_X509_NAME_pop_free(names, X509_NAME_free);
        return false;
      }
      SSL_CTX_set_client_CA_list(&context, names);
      SSL_CTX_set_verify(
          &context,
          SSL_VERIFY_PEER | (require ? SSL_VERIFY_FAIL_IF_NO_PEER_CERT : 0),
          nullptr);
      return true;
    });
    if (!server->is_valid()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the HTTP port cannot use the certificate ", tls.cert, ", key ",
          tls.key, tls.client_ca.empty() ? "" : " or client CAs ",
          tls.client_ca));
    }
    gateway->server_ = std::move(server);
  } else {
    gateway->server_ = std::make_unique<httplib::Server>();
  }
  gateway->server_->set_payload_max_length(options.max_body_bytes);
  const size_t threads = static_cast<size_t>(std::max(1, options.threads));
  gateway->server_->new_task_queue = [threads] {
    return new httplib::ThreadPool(threads);
  };
  gateway->server_->set_keep_alive_timeout(2);
  gateway->server_->set_read_timeout(5);
  gateway->server_->set_write_timeout(5);
  gateway->server_->set_exception_handler([](const httplib::Request&,
                                             httplib::Response& response,
                                             std::exception_ptr) {
    WriteErrorResponse(response, grpc::Status(grpc::StatusCode::INTERNAL,
                                              "the HTTP request failed"));
  });
  gateway->options_ = std::move(options);
  return gateway;
}

HttpGateway::~HttpGateway() { Stop(); }

absl::Status HttpGateway::AddConnectService(
    const std::string& service, std::shared_ptr<grpc::Channel> channel) {
  const google::protobuf::ServiceDescriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          service);
  if (descriptor == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("no service ", service, " in this program"));
  }
  auto stub = std::make_shared<MessageStub>(std::move(channel));
  for (int i = 0; i < descriptor->method_count(); ++i) {
    const google::protobuf::MethodDescriptor* method = descriptor->method(i);
    const std::string path = absl::StrCat("/", service, "/", method->name());
    const std::string pattern = absl::StrReplaceAll(path, {{".", "\\."}});
    if (method->client_streaming() || method->server_streaming()) {
      server_->Post(pattern, [method](const httplib::Request&,
                                      httplib::Response& response) {
        WriteErrorResponse(
            response,
            grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                         absl::StrCat(method->full_name(),
                                      " streams: call it over gRPC")));
      });
      continue;
    }
    server_->Post(pattern, [method, path, stub](const httplib::Request& request,
                                                httplib::Response& response) {
      ServeUnary(*method, path, *stub, request, response);
    });
  }
  return absl::OkStatus();
}

absl::Status HttpGateway::Start() {
  std::string host;
  int port = 0;
  if (!SplitHostPort(options_.listen_address, host, port)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "HTTP listen address ", options_.listen_address, " is not host:port"));
  }
  port_ = port == 0 ? server_->bind_to_any_port(host)
                    : (server_->bind_to_port(host, port) ? port : 0);
  if (port_ <= 0) {
    port_ = 0;
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options_.listen_address));
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return absl::OkStatus();
}

void HttpGateway::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

grpc::Status PrepareCallContext(const httplib::Request& request,
                                grpc::ClientContext& context) {
  return PrepareContext(request, context);
}

CallerIdentity HttpPeerIdentity(const httplib::Request& request) {
  return IdentityOfHttpPeer(request);
}

void WriteConnectError(httplib::Response& response,
                       const grpc::Status& status) {
  WriteErrorResponse(response, status);
}

}  // namespace imh
