// Owns: the Prometheus text exposition format (version 0.0.4) of the metrics registry
// (metrics.h): HELP and TYPE for every family, escaping, number formatting. Must not touch: the
// keyspace's internals, sockets. Thread: the event loop.
#pragma once

#include <string>
#include <string_view>

namespace stashd {

class NodeState;

// The Content-Type of render_prometheus()'s text.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

// Every declared metric family of the node, ready to serve on /metrics.
std::string render_prometheus(NodeState& node);

// Escaping as the format requires: HELP text escapes '\' and newline; label values also '"'.
std::string prometheus_escape_help(std::string_view text);
std::string prometheus_escape_label(std::string_view text);
// A sample value: integers exactly ("42"), other numbers in the shortest form that reads back
// ("0.25", "1e-05").
std::string prometheus_number(double value);

}  // namespace stashd
