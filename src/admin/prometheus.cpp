// Owns: rendering the metrics registry as Prometheus text (see prometheus.h). Must not touch: the
// keyspace's internals, sockets. Thread: the event loop.
#include "stashd/admin/prometheus.h"

#include <fmt/format.h>

#include <cmath>

#include "stashd/admin/metrics.h"

namespace stashd {

namespace {

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

std::string escape(std::string_view text, bool quote) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out.append("\\\\");
    } else if (c == '\n') {
      out.append("\\n");
    } else if (c == '"' && quote) {
      out.append("\\\"");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

class TextWriter final : public MetricWriter {
 public:
  TextWriter(std::string* out, std::string_view family) : out_(out), family_(family) {}

  void sample(std::string_view suffix, std::span<const MetricLabel> labels, double value) override {
    out_->append(family_).append(suffix);
    if (!labels.empty()) {
      out_->push_back('{');
      for (size_t i = 0; i < labels.size(); ++i) {
        if (i > 0) out_->push_back(',');
        out_->append(labels[i].name).append("=\"");
        out_->append(prometheus_escape_label(labels[i].value)).push_back('"');
      }
      out_->push_back('}');
    }
    out_->push_back(' ');
    out_->append(prometheus_number(value)).push_back('\n');
  }

 private:
  std::string* out_;
  std::string_view family_;
};

}  // namespace

std::string prometheus_escape_help(std::string_view text) { return escape(text, false); }
std::string prometheus_escape_label(std::string_view text) { return escape(text, true); }

std::string prometheus_number(double value) {
  constexpr double kExact = 9007199254740992.0;  // 2^53: every integer below is a double
  if (std::isfinite(value) && std::trunc(value) == value && std::fabs(value) < kExact) {
    return fmt::format_int(static_cast<int64_t>(value)).str();
  }
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

std::string render_prometheus(NodeState& node) {
  MetricSource source(node);
  std::string out;
  out.reserve(8192);
  for (const MetricDecl& decl : metric_declarations()) {
    out.append("# HELP ").append(decl.name).push_back(' ');
    out.append(prometheus_escape_help(decl.help)).push_back('\n');
    out.append("# TYPE ").append(decl.name).push_back(' ');
    out.append(type_name(decl.type)).push_back('\n');
    TextWriter writer(&out, decl.name);
    if (decl.value != nullptr) {
      writer.sample("", {}, static_cast<double>(decl.value(source)));
    } else {
      decl.collect(source, writer);
    }
  }
  return out;
}

}  // namespace stashd
