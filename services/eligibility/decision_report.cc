#include "services/eligibility/decision_report.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/dates.h"
#include "common/html_text.h"
#include "common/rulebook/params.h"
#include "services/eligibility/evaluation_context.h"
#include "services/eligibility/verification.h"

namespace imh::eligibility {
namespace {

namespace reg = ::imh::registry::v1;

// Colours chosen for contrast on white and to stay apart in grey print;
// every mark also differs in shape, and says what it is in its <title>.
constexpr char kStyle[] = R"css(
:root { color: #1b1b1b; background: #fff; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
body { max-width: 70rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.6rem; margin: .5rem 0; }
h2 { font-size: 1.3rem; margin: 2rem 0 .5rem; border-bottom: 2px solid #1b1b1b; padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
.meta { color: #3d3d3d; margin: 0; }
.outcome { display: inline-block; padding: .05rem .55rem; border-radius: 3px; font-size: .95rem; margin-left: .5rem; color: #fff; }
.outcome.eligible { background: #1d6b2f; }
.outcome.not-eligible { background: #a4000f; }
.outcome.needs-review { background: #8a4b00; }
table { border-collapse: collapse; width: 100%; margin: .3rem 0 1rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid #c4c4c4; }
thead th { border-bottom: 2px solid #1b1b1b; }
td.status, td.rule { white-space: nowrap; font-weight: 600; }
td.day { white-space: nowrap; }
.met { color: #1d6b2f; } .not-met { color: #a4000f; } .advisory { color: #6b4a00; } .unverified { color: #8a4b00; }
figure { margin: .5rem 0 1rem; }
figcaption { font-size: .9rem; color: #3d3d3d; }
svg { width: 100%; height: auto; }
svg text { font: 11px system-ui, sans-serif; fill: #1b1b1b; }
.summary td:first-child { font-weight: 600; }
@media print { body { max-width: none; padding: 0; } section.category { break-before: page; } h2 { break-after: avoid; } figure { break-inside: avoid; } }
)css";

constexpr double kLabelWidth = 170;
constexpr double kPlotWidth = 760;
constexpr double kRowHeight = 18;

absl::CivilDay Day(const google::type::Date& date) {
  return absl::CivilDay(date.year(), date.month(), date.day());
}

bool IsSet(const google::type::Date& date) { return date.year() > 0; }

// How a session names its provider to the registry: by person id, else by
// endorsement number; nullopt when it names neither.
using ProviderKey = std::pair<bool, std::string>;
std::optional<ProviderKey> KeyOf(const v1::PersonRef& provider) {
  if (!provider.person_id().empty()) {
    return ProviderKey(true, provider.person_id());
  }
  if (!provider.endorsement_number().empty()) {
    return ProviderKey(false, provider.endorsement_number());
  }
  return std::nullopt;
}

ProviderKey KeyOf(const reg::CredentialQuestion& question) {
  return question.subject_case() == reg::CredentialQuestion::kPersonId
             ? ProviderKey(true, question.person_id())
             : ProviderKey(false, question.endorsement_number());
}

// The entries of `field` ("rsc_sessions", "work", "trainings") a finding's
// evidence names; every entry when it names the field without indices.
std::set<int> EvidenceOf(const v1::Finding& finding, absl::string_view field,
                         int entries) {
  std::set<int> out;
  for (const v1::Evidence& evidence : finding.evidence()) {
    const absl::string_view path = evidence.path();
    if (path != field && !absl::EndsWith(path, absl::StrCat(".", field))) {
      continue;
    }
    if (evidence.indices().empty()) {
      for (int i = 0; i < entries; ++i) out.insert(i);
    }
    out.insert(evidence.indices().begin(), evidence.indices().end());
  }
  return out;
}

const v1::Finding* FindRule(const v1::CategoryDecision& decision,
                            absl::string_view rule_id) {
  for (const v1::Finding& finding : decision.findings()) {
    if (finding.rule_id() == rule_id) return &finding;
  }
  return nullptr;
}

std::string OutcomeClass(v1::Outcome outcome) {
  switch (outcome) {
    case v1::OUTCOME_ELIGIBLE:
      return "eligible";
    case v1::OUTCOME_NEEDS_REVIEW:
      return "needs-review";
    default:
      return "not-eligible";
  }
}

std::string OutcomeWords(v1::Outcome outcome) {
  switch (outcome) {
    case v1::OUTCOME_ELIGIBLE:
      return "Eligible";
    case v1::OUTCOME_NEEDS_REVIEW:
      return "Needs review";
    default:
      return "Not eligible";
  }
}

std::pair<std::string, std::string> StatusWords(v1::FindingStatus status) {
  switch (status) {
    case v1::FINDING_STATUS_MET:
      return {"met", "Met"};
    case v1::FINDING_STATUS_NOT_MET:
      return {"not-met", "Not met"};
    case v1::FINDING_STATUS_ADVISORY:
      return {"advisory", "Advisory"};
    case v1::FINDING_STATUS_UNVERIFIED:
      return {"unverified", "Unverified"};
    default:
      return {"", "?"};
  }
}

std::string TopicWords(v1::TrainingTopic topic) {
  switch (topic) {
    case v1::TRAINING_TOPIC_SOCIAL_EMOTIONAL:
      return "Social-emotional development, relationship-based IMH";
    case v1::TRAINING_TOPIC_RSC_PROVISION:
      return "Providing reflective supervision/consultation";
    case v1::TRAINING_TOPIC_DIVERSITY_EQUITY_INCLUSION:
      return "Diversity, equity and inclusion";
    case v1::TRAINING_TOPIC_OTHER_IMH:
      return "Other specialized IMH";
    default:
      return "Unspecified";
  }
}

std::string Amount(double value) { return absl::StrFormat("%.4g", value); }

std::string ProviderName(const v1::PersonRef& provider) {
  if (!provider.display_name().empty()) return provider.display_name();
  if (!provider.person_id().empty()) return provider.person_id();
  return provider.endorsement_number();
}

// Days to x positions over [from, to].
class Scale {
 public:
  Scale(absl::CivilDay from, absl::CivilDay to)
      : from_(from), days_(std::max<double>(1, to - from)) {}
  double X(absl::CivilDay day) const {
    const double offset = std::clamp<double>(day - from_, 0, days_);
    return kLabelWidth + kPlotWidth * offset / days_;
  }

 private:
  absl::CivilDay from_;
  double days_;
};

// Builds one SVG, row by row.
class Timeline {
 public:
  Timeline(Scale scale, absl::CivilDay from, absl::CivilDay to)
      : scale_(scale), from_(from), to_(to) {}

  void Label(const std::string& text, bool heading) {
    y_ += kRowHeight;
    absl::StrAppend(&body_, "<text x=\"4\" y=\"", y_ + 4, "\"",
                    heading ? " font-weight=\"700\"" : "", ">",
                    HtmlEscape(text.substr(0, 28)), "</text>");
  }
  double y() const { return y_; }
  void Add(const std::string& svg) { body_ += svg; }
  void Gap() { y_ += 6; }
  const Scale& scale() const { return scale_; }

  std::string Render(const std::string& id, const std::string& title,
                     const std::string& description) const {
    const double height = y_ + 16;
    std::string axis;
    for (int year = static_cast<int>(from_.year()); year <= to_.year();
         ++year) {
      const double x = scale_.X(absl::CivilDay(year, 1, 1));
      absl::StrAppend(&axis, "<line x1=\"", x, "\" y1=\"14\" x2=\"", x,
                      "\" y2=\"", height - 4,
                      "\" stroke=\"#e2e2e2\" stroke-width=\"1\"/>",
                      "<text x=\"", x + 2, "\" y=\"11\">", year, "</text>");
    }
    const double as_of_x = scale_.X(to_);
    absl::StrAppend(&axis, "<line x1=\"", as_of_x, "\" y1=\"14\" x2=\"",
                    as_of_x, "\" y2=\"", height - 4,
                    "\" stroke=\"#1b1b1b\" stroke-dasharray=\"3 3\"><title>as "
                    "of ",
                    FormatDay(to_), "</title></line>");
    return absl::StrCat(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ",
        kLabelWidth + kPlotWidth + 10, " ", height,
        "\" role=\"img\" aria-labelledby=\"", id, "-title ", id,
        "-desc\" class=\"timeline\"><title id=\"", id, "-title\">",
        HtmlEscape(title), "</title><desc id=\"", id, "-desc\">",
        HtmlEscape(description), "</desc>", "<defs><pattern id=\"", id,
        "-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
        "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" "
        "fill=\"#ffffff\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" "
        "stroke=\"#0b3d6b\" stroke-width=\"2\"/></pattern></defs>",
        axis, body_, "</svg>");
  }

  std::string Bar(absl::CivilDay start, absl::CivilDay end,
                  const std::string& fill, const std::string& title,
                  const std::string& css_class) const {
    const double x = scale_.X(start);
    const double width = std::max(2.0, scale_.X(end) - x);
    return absl::StrCat("<rect class=\"", css_class, "\" x=\"", x, "\" y=\"",
                        y_ - 5, "\" width=\"", width,
                        "\" height=\"10\" fill=\"", fill,
                        "\" stroke=\"#1b1b1b\" stroke-width=\"0.5\"><title>",
                        HtmlEscape(title), "</title></rect>");
  }

 private:
  Scale scale_;
  absl::CivilDay from_, to_;
  double y_ = 14;
  std::string body_;
};

struct Interval {
  absl::CivilDay start, end;
};

std::vector<Interval> Merge(std::vector<Interval> intervals) {
  std::sort(
      intervals.begin(), intervals.end(),
      [](const Interval& a, const Interval& b) { return a.start < b.start; });
  std::vector<Interval> merged;
  for (const Interval& interval : intervals) {
    if (!merged.empty() && interval.start <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, interval.end);
    } else {
      merged.push_back(interval);
    }
  }
  return merged;
}

class CategoryReport {
 public:
  CategoryReport(const DecisionReportInput& input,
                 const v1::CategoryDecision& decision,
                 const PortfolioIndex& index, absl::CivilDay as_of)
      : input_(input),
        portfolio_(*input.portfolio),
        decision_(decision),
        category_(input.rulebook->FindCategory(decision.category())),
        index_(index),
        as_of_(as_of) {}

  std::string Render() {
    const std::string id = absl::StrCat("category-", decision_.category());
    std::string html = absl::StrCat(
        "<section class=\"category\" aria-labelledby=\"", id, "\"><h2 id=\"",
        id, "\">", HtmlEscape(decision_.category()),
        category_ != nullptr
            ? absl::StrCat(" — ", HtmlEscape(category_->name()))
            : std::string(),
        "<span class=\"outcome ", OutcomeClass(decision_.outcome()), "\">",
        OutcomeWords(decision_.outcome()), "</span></h2>");
    absl::StrAppend(&html, TimelineFigure(id), SessionsNotCounted(),
                    TrainingBuckets(), FindingsTable(), "</section>");
    return html;
  }

 private:
  std::string TimelineFigure(const std::string& id) {
    absl::CivilDay from = as_of_;
    const auto extend = [&](absl::CivilDay day) { from = std::min(from, day); };
    for (const v1::EducationEntry& entry : portfolio_.education()) {
      if (IsSet(entry.conferred_on())) extend(Day(entry.conferred_on()));
    }
    for (int i = 0; i < portfolio_.work_size(); ++i)
      extend(index_.work_start[i]);
    for (const absl::CivilDay day : index_.session_day) extend(day);
    for (const v1::TrainingEntry& entry : portfolio_.trainings()) {
      extend(Day(entry.completed_on()));
    }
    for (const reg::CredentialAnswer& answer : input_.provider_answers) {
      if (IsSet(answer.status_since())) extend(Day(answer.status_since()));
      for (const reg::CredentialChange& change : answer.changes()) {
        if (IsSet(change.answer().status_since())) {
          extend(Day(change.answer().status_since()));
        }
      }
    }
    from = std::max(absl::CivilDay(from.year(), 1, 1),
                    absl::CivilDay(as_of_.year() - 30, 1, 1));
    const absl::CivilDay to = as_of_;
    Timeline timeline(Scale(from, to + 1), from, to);
    Degrees(timeline);
    Work(timeline, id);
    Sessions(timeline);
    Providers(timeline);
    Trainings(timeline);
    return absl::StrCat(
        "<figure>",
        timeline.Render(id,
                        absl::StrCat("Timeline of the portfolio for ",
                                     decision_.category()),
                        "Degrees, work periods (what counted, after which "
                        "degree, merged), RS/C sessions (the counted window "
                        "shaded), providers' endorsement periods from the "
                        "registry, trainings. The tables below say the same "
                        "in words."),
        "<figcaption>Work: solid blue counted, hatched before the qualifying "
        "degree, grey not counted; the dark bar is the counted work merged. "
        "RS/C: green circles counted, in the shaded window; red crosses "
        "excluded by a rule; grey rings outside the window. Providers: green "
        "while the registry says they held an accepted endorsement, red "
        "marks where it did not. Dashed line: the decision's "
        "date.</figcaption></figure>");
  }

  void Degrees(Timeline& timeline) {
    timeline.Label("Degrees", true);
    for (const v1::EducationEntry& entry : portfolio_.education()) {
      if (!IsSet(entry.conferred_on())) continue;
      const double x = timeline.scale().X(Day(entry.conferred_on()));
      const double y = timeline.y();
      timeline.Add(absl::StrCat(
          "<path class=\"degree\" d=\"M", x, " ", y - 6, " L", x + 6, " ", y,
          " L", x, " ", y + 6, " L", x - 6, " ", y,
          " Z\" fill=\"#6b2c91\"><title>",
          HtmlEscape(absl::StrCat(entry.degree(), " (", entry.field(),
                                  "), conferred ",
                                  FormatDay(Day(entry.conferred_on())))),
          "</title></path><text x=\"", x + 8, "\" y=\"", y + 4, "\">",
          HtmlEscape(entry.degree()), "</text>"));
    }
  }

  // The first day after which work counts for `rule_id`'s requirement.
  std::optional<absl::CivilDay> WorkCountsFrom(const std::string& rule_id) {
    if (category_ == nullptr) return std::nullopt;
    const std::string iso = FormatDay(as_of_);
    for (const rulebook::v1::WorkRequirement& requirement :
         category_->work().requirements()) {
      if (requirement.rule_id() != rule_id) continue;
      return index_.FirstDegreeIn(
          CodesAt(requirement.after_degree_levels(), iso));
    }
    return std::nullopt;
  }

  void Work(Timeline& timeline, const std::string& id) {
    if (portfolio_.work().empty()) return;
    timeline.Gap();
    timeline.Label("Work", true);
    // Which requirement each counted entry counted for, and from when.
    std::map<int, std::optional<absl::CivilDay>> counted;
    if (category_ != nullptr) {
      for (const rulebook::v1::WorkRequirement& requirement :
           category_->work().requirements()) {
        const v1::Finding* finding = FindRule(decision_, requirement.rule_id());
        if (finding == nullptr) continue;
        const std::optional<absl::CivilDay> counts_from =
            WorkCountsFrom(requirement.rule_id());
        for (const int i :
             EvidenceOf(*finding, "work", portfolio_.work_size())) {
          if (!counted.count(i)) counted[i] = counts_from;
        }
      }
    }
    std::vector<Interval> merged;
    for (int i = 0; i < portfolio_.work_size(); ++i) {
      const v1::WorkEntry& entry = portfolio_.work(i);
      timeline.Label(entry.employer().empty() ? entry.role() : entry.employer(),
                     false);
      const absl::CivilDay start = index_.work_start[i];
      const absl::CivilDay end = index_.work_end[i];
      const std::string what =
          absl::StrCat(entry.role(), ", ", entry.employer(), " ",
                       FormatDay(start), " to ", FormatDay(end - 1));
      const auto it = counted.find(i);
      if (it == counted.end()) {
        timeline.Add(timeline.Bar(start, end, "#c9c9c9",
                                  absl::StrCat(what, ": did not count"),
                                  "work-not-counted"));
        continue;
      }
      absl::CivilDay counted_start = start;
      if (it->second && *it->second > start) {
        counted_start = std::min(*it->second, end);
        timeline.Add(timeline.Bar(
            start, counted_start, absl::StrCat("url(#", id, "-hatch)"),
            absl::StrCat(what, ": before the qualifying degree (",
                         FormatDay(*it->second), "), not counted"),
            "work-before-degree"));
      }
      if (counted_start < end) {
        timeline.Add(timeline.Bar(
            counted_start, end, "#0b3d6b",
            absl::StrCat(what, ": counted from ", FormatDay(counted_start)),
            "work-counted"));
        merged.push_back({counted_start, end});
      }
    }
    if (!merged.empty()) {
      timeline.Label("Work, merged", false);
      for (const Interval& interval : Merge(merged)) {
        timeline.Add(timeline.Bar(
            interval.start, interval.end, "#1b1b1b",
            absl::StrCat(
                "counted work, overlaps merged: ", FormatDay(interval.start),
                " to ", FormatDay(interval.end - 1)),
            "work-merged"));
      }
    }
  }

  // Each session excluded by a rule, with that rule's finding.
  std::map<int, const v1::Finding*> Exclusions() const {
    std::map<int, const v1::Finding*> out;
    for (const v1::Finding& finding : decision_.findings()) {
      if (finding.rule_id() == "R-RSC-HOURS" ||
          !absl::StartsWith(finding.rule_id(), "R-RSC-") ||
          finding.status() == v1::FINDING_STATUS_MET) {
        continue;
      }
      for (const int i : EvidenceOf(finding, "rsc_sessions",
                                    portfolio_.rsc_sessions_size())) {
        out.emplace(i, &finding);
      }
    }
    return out;
  }

  std::set<int> CountedSessions() const {
    const v1::Finding* hours = FindRule(decision_, "R-RSC-HOURS");
    if (hours == nullptr) return {};
    return EvidenceOf(*hours, "rsc_sessions", portfolio_.rsc_sessions_size());
  }

  // Whether the category counts RS/C hours (R-RSC-HOURS decided).
  bool CountsSessions() const {
    return FindRule(decision_, "R-RSC-HOURS") != nullptr;
  }

  void Sessions(Timeline& timeline) {
    if (portfolio_.rsc_sessions().empty()) return;
    timeline.Gap();
    timeline.Label("RS/C sessions", true);
    if (!CountsSessions()) {
      for (int i = 0; i < portfolio_.rsc_sessions_size(); ++i) {
        const double x = timeline.scale().X(index_.session_day[i]);
        timeline.Add(absl::StrCat(
            "<circle class=\"rsc-not-required\" cx=\"", x, "\" cy=\"",
            timeline.y(), "\" r=\"4\" fill=\"#9a9a9a\"><title>",
            FormatDay(index_.session_day[i]),
            ": this category does not count RS/C hours</title></circle>"));
      }
      return;
    }
    const std::set<int> counted = CountedSessions();
    const std::map<int, const v1::Finding*> excluded = Exclusions();
    const double y = timeline.y();
    if (!counted.empty()) {
      absl::CivilDay first = index_.session_day[*counted.begin()];
      absl::CivilDay last = first;
      double hours = 0;
      for (const int i : counted) {
        first = std::min(first, index_.session_day[i]);
        last = std::max(last, index_.session_day[i]);
        hours += portfolio_.rsc_sessions(i).hours();
      }
      const double x = timeline.scale().X(first);
      timeline.Add(absl::StrCat(
          "<rect class=\"rsc-window\" x=\"", x, "\" y=\"", y - 9, "\" width=\"",
          std::max(3.0, timeline.scale().X(last + 1) - x),
          "\" height=\"18\" fill=\"#cfe8d4\"><title>",
          HtmlEscape(absl::StrCat("counted window ", FormatDay(first), " to ",
                                  FormatDay(last), ": ", Amount(hours),
                                  " hours in ", counted.size(), " sessions")),
          "</title></rect>"));
    }
    for (int i = 0; i < portfolio_.rsc_sessions_size(); ++i) {
      const v1::RscSession& session = portfolio_.rsc_sessions(i);
      const double x = timeline.scale().X(index_.session_day[i]);
      const std::string what = absl::StrCat(
          FormatDay(index_.session_day[i]), ", ", Amount(session.hours()),
          " h with ", ProviderName(session.provider()));
      if (counted.count(i)) {
        timeline.Add(
            absl::StrCat("<circle class=\"rsc-counted\" cx=\"", x, "\" cy=\"",
                         y, "\" r=\"4\" fill=\"#1d6b2f\"><title>",
                         HtmlEscape(what), ": counted</title></circle>"));
      } else if (const auto it = excluded.find(i); it != excluded.end()) {
        timeline.Add(absl::StrCat(
            "<path class=\"rsc-excluded\" d=\"M", x - 4, " ", y - 4, " L",
            x + 4, " ", y + 4, " M", x - 4, " ", y + 4, " L", x + 4, " ", y - 4,
            "\" stroke=\"#a4000f\" stroke-width=\"2\"><title>",
            HtmlEscape(
                absl::StrCat(what, ": excluded by ", it->second->rule_id())),
            "</title></path>"));
      } else {
        timeline.Add(absl::StrCat(
            "<circle class=\"rsc-outside\" cx=\"", x, "\" cy=\"", y,
            "\" r=\"4\" fill=\"#ffffff\" stroke=\"#5a5a5a\" "
            "stroke-width=\"1.5\"><title>",
            HtmlEscape(what), ": outside the counted window</title></circle>"));
      }
    }
  }

  void Providers(Timeline& timeline) {
    if (input_.provider_answers.empty()) return;
    // Each provider's question, under the key it was asked by.
    std::map<ProviderKey, size_t> question_of;
    for (size_t k = 0; k < input_.provider_questions.size() &&
                       k < input_.provider_answers.size();
         ++k) {
      question_of.emplace(KeyOf(input_.provider_questions[k]), k);
    }
    // Provider name -> held periods and the days the registry said no.
    std::map<std::string,
             std::pair<std::vector<Interval>,
                       std::vector<std::pair<absl::CivilDay, std::string>>>>
        providers;
    for (int session = 0; session < portfolio_.rsc_sessions_size(); ++session) {
      const v1::PersonRef& provider =
          portfolio_.rsc_sessions(session).provider();
      const std::optional<ProviderKey> key = KeyOf(provider);
      if (!key) continue;
      const auto asked = question_of.find(*key);
      if (asked == question_of.end()) continue;
      const absl::CivilDay day = index_.session_day[session];
      const reg::CredentialAnswer* answer =
          ProviderAnswerOn(input_.provider_questions[asked->second],
                           input_.provider_answers[asked->second], day);
      auto& [held, refused] = providers[ProviderName(provider)];
      if (answer != nullptr &&
          answer->status() == reg::CREDENTIAL_STATUS_HELD) {
        const absl::CivilDay since =
            IsSet(answer->status_since()) ? Day(answer->status_since()) : day;
        held.push_back({std::min(since, day), day + 1});
      } else {
        refused.emplace_back(
            day, answer != nullptr &&
                         answer->status() == reg::CREDENTIAL_STATUS_NOT_HELD
                     ? "not held"
                     : "registry could not say");
      }
    }
    timeline.Gap();
    timeline.Label("Providers (registry)", true);
    for (const auto& [name, facts] : providers) {
      timeline.Label(name, false);
      for (const Interval& interval : Merge(facts.first)) {
        timeline.Add(timeline.Bar(
            interval.start, interval.end, "#4f9d5d",
            absl::StrCat(name, " held an accepted endorsement from ",
                         FormatDay(interval.start), " through at least ",
                         FormatDay(interval.end - 1)),
            "provider-held"));
      }
      for (const auto& [day, why] : facts.second) {
        const double x = timeline.scale().X(day);
        const double y = timeline.y();
        timeline.Add(absl::StrCat(
            "<rect class=\"provider-not-held\" x=\"", x - 2, "\" y=\"", y - 7,
            "\" width=\"4\" height=\"14\" fill=\"#a4000f\"><title>",
            HtmlEscape(absl::StrCat(name, " on ", FormatDay(day), ": ", why)),
            "</title></rect>"));
      }
    }
  }

  void Trainings(Timeline& timeline) {
    if (portfolio_.trainings().empty()) return;
    timeline.Gap();
    timeline.Label("Trainings", true);
    for (const v1::TrainingEntry& entry : portfolio_.trainings()) {
      const double x = timeline.scale().X(Day(entry.completed_on()));
      const double y = timeline.y();
      const double height = std::clamp(entry.clock_hours() / 2, 3.0, 14.0);
      timeline.Add(absl::StrCat(
          "<rect class=\"training\" x=\"", x - 1.5, "\" y=\"", y + 7 - height,
          "\" width=\"3\" height=\"", height, "\" fill=\"#8a4b00\"><title>",
          HtmlEscape(absl::StrCat(entry.title(), ", ",
                                  Amount(entry.clock_hours()), " h, ",
                                  FormatDay(Day(entry.completed_on())))),
          "</title></rect>"));
    }
  }

  std::string SessionsNotCounted() {
    if (portfolio_.rsc_sessions().empty()) return "";
    if (!CountsSessions()) {
      std::string said;
      for (const v1::Finding& finding : decision_.findings()) {
        if (absl::StartsWith(finding.rule_id(), "R-RSC-")) {
          absl::StrAppend(&said, " ", HtmlEscape(finding.message()));
        }
      }
      return absl::StrCat("<h3>RS/C sessions</h3><p>", decision_.category(),
                          " does not count RS/C hours.", said, "</p>");
    }
    const std::set<int> counted = CountedSessions();
    const std::map<int, const v1::Finding*> excluded = Exclusions();
    std::string rows;
    for (const int i : index_.sessions_by_day) {
      if (counted.count(i)) continue;
      const v1::RscSession& session = portfolio_.rsc_sessions(i);
      const auto it = excluded.find(i);
      absl::StrAppend(
          &rows, "<tr><td class=\"day\">", FormatDay(index_.session_day[i]),
          "</td><td>", Amount(session.hours()), "</td><td>",
          HtmlEscape(ProviderName(session.provider())), "</td><td>",
          it == excluded.end()
              ? std::string("Outside the counted window (R-RSC-HOURS): the "
                            "hours are counted in one window only.")
              : absl::StrCat("<strong>", HtmlEscape(it->second->rule_id()),
                             "</strong>: ", HtmlEscape(it->second->message())),
          "</td></tr>");
    }
    return absl::StrCat(
        "<h3>RS/C sessions that did not count (",
        portfolio_.rsc_sessions_size() - static_cast<int>(counted.size()),
        " of ", portfolio_.rsc_sessions_size(), ")</h3>",
        rows.empty()
            ? std::string("<p>Every session counted.</p>")
            : absl::StrCat("<table><thead><tr><th scope=\"col\">Held on</th>"
                           "<th scope=\"col\">Hours</th><th "
                           "scope=\"col\">Provider</th><th "
                           "scope=\"col\">Why not</th></tr></thead><tbody>",
                           rows, "</tbody></table>"));
  }

  std::string TrainingBuckets() {
    if (portfolio_.trainings().empty()) return "";
    std::set<int> used;
    for (const v1::Finding& finding : decision_.findings()) {
      if (!absl::StartsWith(finding.rule_id(), "R-TRN")) continue;
      const std::set<int> some =
          EvidenceOf(finding, "trainings", portfolio_.trainings_size());
      used.insert(some.begin(), some.end());
    }
    std::map<std::string, std::pair<double, double>> buckets;
    double most = 0;
    for (int i = 0; i < portfolio_.trainings_size(); ++i) {
      const v1::TrainingEntry& entry = portfolio_.trainings(i);
      auto& [all, counted] = buckets[TopicWords(entry.topic())];
      all += entry.clock_hours();
      if (used.count(i)) counted += entry.clock_hours();
      most = std::max(most, all);
    }
    std::string rows;
    for (const auto& [topic, hours] : buckets) {
      const double width = most > 0 ? 240 * hours.first / most : 0;
      const double counted_width = most > 0 ? 240 * hours.second / most : 0;
      absl::StrAppend(
          &rows, "<tr><th scope=\"row\">", HtmlEscape(topic), "</th><td>",
          Amount(hours.first), "</td><td>", Amount(hours.second),
          "</td><td><svg width=\"250\" height=\"14\" role=\"img\" "
          "aria-label=\"",
          Amount(hours.second), " of ", Amount(hours.first),
          " hours used\"><rect x=\"0\" y=\"2\" width=\"", width,
          "\" height=\"10\" fill=\"#e0c9a6\"/><rect x=\"0\" y=\"2\" width=\"",
          counted_width, "\" height=\"10\" fill=\"#8a4b00\"/></svg></td></tr>");
    }
    return absl::StrCat(
        "<h3>Training hours by topic</h3><table><thead><tr><th "
        "scope=\"col\">Topic</th><th scope=\"col\">Hours listed</th><th "
        "scope=\"col\">Hours the training rules used</th><th "
        "scope=\"col\"><span class=\"visually-hidden\">Chart</span></th>"
        "</tr></thead><tbody>",
        rows, "</tbody></table>");
  }

  std::string FindingsTable() {
    std::string rows;
    for (const v1::Finding& finding : decision_.findings()) {
      const auto [css, words] = StatusWords(finding.status());
      std::string shortfall;
      if (finding.has_shortfall() && finding.shortfall().missing() > 0) {
        shortfall = absl::StrCat(Amount(finding.shortfall().missing()), " ",
                                 HtmlEscape(finding.shortfall().unit()));
      }
      absl::StrAppend(
          &rows, "<tr><td class=\"rule\">", HtmlEscape(finding.rule_id()),
          "</td><td class=\"status ", css, "\">", words, "</td><td>",
          HtmlEscape(finding.message()), "</td><td>", shortfall, "</td></tr>");
    }
    return absl::StrCat(
        "<h3>Findings</h3><table class=\"findings\"><thead><tr><th "
        "scope=\"col\">Rule</th><th scope=\"col\">Result</th><th "
        "scope=\"col\">Finding</th><th scope=\"col\">Short by</th></tr>"
        "</thead><tbody>",
        rows, "</tbody></table>");
  }

  const DecisionReportInput& input_;
  const v1::Portfolio& portfolio_;
  const v1::CategoryDecision& decision_;
  const rulebook::v1::Category* category_;
  const PortfolioIndex& index_;
  const absl::CivilDay as_of_;
};

}  // namespace

std::vector<registry::v1::CredentialQuestion> ProviderQuestions(
    const v1::Portfolio& portfolio, const Rulebook& rulebook,
    absl::CivilDay as_of) {
  const std::string iso = FormatDay(as_of);
  std::set<std::string> categories;
  for (const rulebook::v1::Category& category : rulebook.proto().categories()) {
    if (const rulebook::v1::CodeListValue* codes =
            CodesAt(category.rsc().provider_categories(), iso)) {
      categories.insert(codes->codes().begin(), codes->codes().end());
    }
  }
  std::vector<registry::v1::CredentialQuestion> questions;
  if (categories.empty()) return questions;
  // Each provider's question, and the first and last days of their sessions.
  std::map<ProviderKey, size_t> question_of;
  std::vector<std::pair<absl::CivilDay, absl::CivilDay>> days;
  for (const v1::RscSession& session : portfolio.rsc_sessions()) {
    const std::optional<ProviderKey> key = KeyOf(session.provider());
    if (!key) continue;
    const absl::CivilDay day = Day(session.held_on());
    const auto [asked, added] = question_of.emplace(*key, questions.size());
    if (!added) {
      auto& [first, last] = days[asked->second];
      first = std::min(first, day);
      last = std::max(last, day);
      continue;
    }
    registry::v1::CredentialQuestion& question = questions.emplace_back();
    if (key->first) {
      question.set_person_id(key->second);
    } else {
      question.set_endorsement_number(key->second);
    }
    for (const std::string& category : categories) {
      question.add_categories(category);
    }
    days.emplace_back(day, day);
  }
  for (size_t k = 0; k < questions.size(); ++k) {
    const auto& [first, last] = days[k];
    *questions[k].mutable_as_of() = ToProtoDate(first);
    if (last > first) *questions[k].mutable_through() = ToProtoDate(last);
  }
  return questions;
}

const registry::v1::CredentialAnswer* ProviderAnswerOn(
    const registry::v1::CredentialQuestion& question,
    const registry::v1::CredentialAnswer& answer, absl::CivilDay day) {
  if (!IsCompleteDate(question.as_of())) return nullptr;
  const absl::CivilDay first = Day(question.as_of());
  if (day == first) return &answer;
  if (day < first || !question.has_through() || !answer.has_through() ||
      !IsCompleteDate(answer.through())) {
    return nullptr;
  }
  const absl::CivilDay through = Day(answer.through());
  if (day > through) return nullptr;
  const registry::v1::CredentialAnswer* on = &answer;
  absl::CivilDay previous = first;
  for (const registry::v1::CredentialChange& change : answer.changes()) {
    if (!IsCompleteDate(change.from())) return nullptr;
    const absl::CivilDay from = Day(change.from());
    if (from <= previous || from > through) return nullptr;
    if (from <= day) on = &change.answer();
    previous = from;
  }
  return on;
}

std::string RenderDecisionReport(const DecisionReportInput& input) {
  const v1::Portfolio& portfolio = *input.portfolio;
  const v1::EvaluatePortfolioResponse& response = *input.response;
  const absl::CivilDay as_of = Day(response.decision().as_of());
  const PortfolioIndex index(portfolio, as_of);
  const std::string applicant =
      portfolio.applicant().person().display_name().empty()
          ? portfolio.applicant().person().person_id()
          : portfolio.applicant().person().display_name();

  std::string summary;
  for (const v1::CategoryDecision& decision :
       response.decision().categories()) {
    const rulebook::v1::Category* category =
        input.rulebook->FindCategory(decision.category());
    absl::StrAppend(
        &summary, "<tr><td><a href=\"#category-",
        HtmlEscape(decision.category()), "\">", HtmlEscape(decision.category()),
        "</a></td><td>",
        category != nullptr ? HtmlEscape(category->name()) : std::string(),
        "</td><td><span class=\"outcome ", OutcomeClass(decision.outcome()),
        "\">", OutcomeWords(decision.outcome()), "</span></td></tr>");
  }
  std::string verification = absl::StrCat(
      "Registry verification: ",
      HtmlEscape(v1::VerificationState_Name(response.verification().state())
                     .substr(sizeof("VERIFICATION_STATE_") - 1)),
      " (", response.verification().questions(), " questions, ",
      response.verification().unanswered(), " unanswered)");
  if (!response.verification().detail().empty()) {
    absl::StrAppend(&verification, ": ",
                    HtmlEscape(response.verification().detail()));
  }
  if (input.provider_answers.empty() && !input.provider_note.empty()) {
    absl::StrAppend(&verification, ". Providers' endorsement periods: ",
                    HtmlEscape(input.provider_note));
  }
  std::string sections;
  for (const v1::CategoryDecision& decision :
       response.decision().categories()) {
    sections += CategoryReport(input, decision, index, as_of).Render();
  }
  return absl::StrCat(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, "
      "initial-scale=1\"><title>Decision ",
      HtmlEscape(response.decision_id()), " — ", HtmlEscape(applicant),
      "</title><style>", kStyle,
      ".visually-hidden { position: absolute; width: 1px; height: 1px; "
      "overflow: hidden; clip: rect(0 0 0 0); }</style></head><body><main>"
      "<h1>Endorsement decision for ",
      HtmlEscape(applicant), "</h1><p class=\"meta\">Decision ",
      HtmlEscape(response.decision_id()), " on ", FormatDay(as_of),
      " under rulebook ", HtmlEscape(response.decision().rulebook_version()),
      "; portfolio ", HtmlEscape(portfolio.portfolio_id()),
      ".</p><p "
      "class=\"meta\">",
      verification,
      ".</p><h2>Outcomes</h2><table class=\"summary\"><thead><tr><th "
      "scope=\"col\">Category</th><th scope=\"col\">Name</th><th "
      "scope=\"col\">Outcome</th></tr></thead><tbody>",
      summary, "</tbody></table>", sections, "</main></body></html>\n");
}

}  // namespace imh::eligibility
