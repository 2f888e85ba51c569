#ifndef IMH_TOOLS_BENCH_ECHO_SERVER_H_
#define IMH_TOOLS_BENCH_ECHO_SERVER_H_

// The empty echo server benchmarks compare against: a callback-API unary
// service doing nothing, built like our servers (same thread model), so that
// a ratio to it measures what our services add.

#include <grpcpp/server.h>

#include <memory>
#include <string>

namespace imh::bench {

// Starts serving on `address` ("127.0.0.1:0" picks a port, stored in *port);
// nullptr when it cannot listen.
std::unique_ptr<grpc::Server> StartEchoServer(const std::string& address,
                                              int* port);

}  // namespace imh::bench

#endif  // IMH_TOOLS_BENCH_ECHO_SERVER_H_
