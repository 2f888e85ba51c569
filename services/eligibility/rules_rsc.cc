#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/enum_names.h"
#include "common/rulebook/params.h"
#include "services/eligibility/findings.h"
#include "services/eligibility/rsc_window.h"
#include "services/eligibility/rules.h"

namespace imh::eligibility {

namespace rb = rulebook::v1;

namespace {

// Counted sessions as window samples, with the session index of each.
struct SampleSet {
  std::vector<RscSample> samples;
  std::vector<int> sessions;

  void Add(const RscSample& sample, int session) {
    samples.push_back(sample);
    sessions.push_back(session);
  }
};

// The sessions of a portfolio sorted into what counts for one category and why
// the rest does not.
struct RscSessions {
  // Counted, provider verified.
  SampleSet verified;
  // Counted if the unverified providers are confirmed: verified + unknown.
  SampleSet optimistic;
  std::vector<int> peer, before_degree, outside_work, provider_not_held,
      provider_unknown;
};

struct Window {
  int max_months = 0;
  int min_span_months = 0;
};

// The periods of the work entries of a listed kind (serving `population`
// unless it is empty), merged into disjoint [start, end) ranges in day order:
// the periods in which sessions count, decided once per category rather than
// per session.
class QualifyingPeriods {
 public:
  QualifyingPeriods(const EvaluationContext& ctx,
                    const rb::CodeListValue* kinds,
                    const std::string& population) {
    for (int i = 0; i < ctx.portfolio.work_size(); ++i) {
      const v1::WorkEntry& work = ctx.portfolio.work(i);
      if (!ListHasEnum(kinds, EnumName(work.service_kind()), "SERVICE_KIND_")) {
        continue;
      }
      if (!population.empty() &&
          !ListHasEnumCode(EnumName(work.population_served()),
                           "POPULATION_FOCUS_", population)) {
        continue;
      }
      if (ctx.index.work_start[i] < ctx.index.work_end[i]) {
        periods_.push_back({ctx.index.work_start[i], ctx.index.work_end[i]});
      }
    }
    std::sort(periods_.begin(), periods_.end());
    size_t merged = 0;
    for (size_t i = 1; i < periods_.size(); ++i) {
      if (periods_[i].start <= periods_[merged].end) {
        periods_[merged].end = std::max(periods_[merged].end, periods_[i].end);
      } else {
        periods_[++merged] = periods_[i];
      }
    }
    if (!periods_.empty()) periods_.resize(merged + 1);
  }

  // Whether `day` lies in a period. `cursor` starts at 0 and is kept between
  // calls whose days do not decrease (sessions visited in day order), so a
  // walk over n sessions looks at each period once.
  bool Contains(absl::CivilDay day, size_t* cursor) const {
    while (*cursor < periods_.size() && periods_[*cursor].end <= day) {
      ++*cursor;
    }
    return *cursor < periods_.size() && periods_[*cursor].start <= day;
  }

 private:
  struct Period {
    absl::CivilDay start, end;
    bool operator<(const Period& other) const {
      return std::tie(start, end) < std::tie(other.start, other.end);
    }
  };
  absl::InlinedVector<Period, 8> periods_;
};

RscSessions SortSessions(const EvaluationContext& ctx, const rb::RscRule& rule,
                         bool subset_is_about_providing) {
  RscSessions sorted;
  for (SampleSet* set : {&sorted.verified, &sorted.optimistic}) {
    set->samples.reserve(ctx.index.sessions_by_day.size());
    set->sessions.reserve(ctx.index.sessions_by_day.size());
  }
  const auto* providers = CodesAt(rule.provider_categories(), ctx.as_of_iso);
  const std::string provider_set =
      providers ? CategorySetKey(providers->codes()) : "";
  const std::vector<CredentialStatus>& provider_answers =
      ctx.provider_answers.For(provider_set);
  const QualifyingPeriods qualifying_work(
      ctx, CodesAt(rule.while_doing_service_kinds(), ctx.as_of_iso),
      rule.while_serving_population());
  size_t work_cursor = 0;
  const auto* degree_levels =
      CodesAt(rule.after_degree_levels(), ctx.as_of_iso);
  const std::optional<absl::CivilDay> degree_day =
      ctx.index.FirstDegreeIn(degree_levels);
  for (int i : ctx.index.sessions_by_day) {
    const v1::RscSession& session = ctx.portfolio.rsc_sessions(i);
    const absl::CivilDay day = ctx.index.session_day[i];
    if (session.format() == v1::RSC_FORMAT_PEER) {
      sorted.peer.push_back(i);
    } else if (degree_levels != nullptr && (!degree_day || day < *degree_day)) {
      sorted.before_degree.push_back(i);
    } else if (!qualifying_work.Contains(day, &work_cursor)) {
      sorted.outside_work.push_back(i);
    } else {
      const RscSample sample{
          day, session.hours(),
          subset_is_about_providing && session.about_rsc_applicant_provides()
              ? session.hours()
              : 0.0};
      switch (provider_answers[i]) {
        case CredentialStatus::kHeld:
          sorted.verified.Add(sample, i);
          sorted.optimistic.Add(sample, i);
          break;
        case CredentialStatus::kUnknown:
          sorted.provider_unknown.push_back(i);
          sorted.optimistic.Add(sample, i);
          break;
        case CredentialStatus::kNotHeld:
          sorted.provider_not_held.push_back(i);
          break;
      }
    }
  }
  return sorted;
}

// The best window of the verified sessions and of the optimistic ones.
struct WindowPair {
  RscWindow verified, optimistic;
};

WindowPair BestWindows(const RscSessions& sessions, const Window& window,
                       double min_hours, double min_subset) {
  WindowPair windows;
  windows.verified =
      BestRscWindow(sessions.verified.samples, window.max_months,
                    window.min_span_months, min_hours, min_subset);
  // Without unconfirmed providers the optimistic sessions are the verified
  // ones.
  windows.optimistic =
      sessions.optimistic.samples.size() == sessions.verified.samples.size()
          ? windows.verified
          : BestRscWindow(sessions.optimistic.samples, window.max_months,
                          window.min_span_months, min_hours, min_subset);
  return windows;
}

bool HoursOk(const RscWindow& w, double min_hours) {
  return w.found && w.span_ok && AtLeast(w.hours, min_hours);
}

std::string Between(const SampleSet& set, const RscWindow& w) {
  return absl::StrCat("between ", FormatMonth(set.samples[w.first].day),
                      " and ", FormatMonth(set.samples[w.last].day));
}

double SpanMonths(const SampleSet& set, const RscWindow& w) {
  return CalendarMonthsBetween(set.samples[w.first].day,
                               set.samples[w.last].day);
}

void AddWindowEvidence(v1::Finding* finding, const SampleSet& set,
                       const RscWindow& w) {
  if (!w.found) return;
  AddEvidence(finding, "rsc_sessions",
              std::vector<int>(set.sessions.begin() + w.first,
                               set.sessions.begin() + w.last + 1));
}

// One hours-in-a-window finding: MET on verified sessions, UNVERIFIED when only
// the unconfirmed providers' sessions would meet it, NOT_MET otherwise.
void AddWindowFinding(const EvaluationContext& ctx, absl::string_view rule_id,
                      absl::string_view what, const RscSessions& sessions,
                      const WindowPair& windows, const Window& window,
                      double min_hours, CategoryDecision* out) {
  if (HoursOk(windows.verified, min_hours)) {
    const RscWindow& w = windows.verified;
    v1::Finding* finding =
        AddFinding(ctx, out, rule_id, v1::FINDING_STATUS_MET, [&] {
          return absl::StrCat(Amount(w.hours), " hours of ", what, " ",
                              Between(sessions.verified, w), " (",
                              Amount(SpanMonths(sessions.verified, w)),
                              " months); ", Amount(min_hours), " required.");
        });
    AddWindowEvidence(finding, sessions.verified, w);
    return;
  }
  if (HoursOk(windows.optimistic, min_hours)) {
    const RscWindow& w = windows.optimistic;
    v1::Finding* finding =
        AddFinding(ctx, out, rule_id, v1::FINDING_STATUS_UNVERIFIED, [&] {
          return absl::StrCat(
              Amount(w.hours), " hours of ", what, " ",
              Between(sessions.optimistic, w), " would meet the ",
              Amount(min_hours),
              " required, but some providers' endorsements could not "
              "be verified.");
        });
    SetShortfall(finding, "hours", min_hours,
                 windows.verified.found ? windows.verified.hours : 0);
    AddWindowEvidence(finding, sessions.optimistic, w);
    return;
  }
  const RscWindow& w = windows.optimistic;
  v1::Finding* finding =
      AddFinding(ctx, out, rule_id, v1::FINDING_STATUS_NOT_MET, [&] {
        if (!w.found) {
          return absl::StrCat("No sessions of ", what, " count toward the ",
                              Amount(min_hours), " hours required.");
        }
        if (!w.span_ok) {
          return absl::StrCat(
              Amount(w.hours), " hours of ", what, " ",
              Between(sessions.optimistic, w), ", but the sessions span only ",
              Amount(SpanMonths(sessions.optimistic, w)),
              " months; they must span ", window.min_span_months, " to ",
              window.max_months, " months",
              AtLeast(w.hours, min_hours)
                  ? "."
                  : absl::StrCat(", with ", Amount(min_hours - w.hours),
                                 " more hours."));
        }
        return absl::StrCat(Amount(w.hours), " of ", Amount(min_hours),
                            " hours of ", what, " ",
                            Between(sessions.optimistic, w), "; ",
                            Amount(min_hours - w.hours), " more needed.");
      });
  // A window too short in span still says how many hours are missing; the
  // message says that the span must grow too.
  SetShortfall(finding, "hours", min_hours, w.found ? w.hours : 0);
  AddWindowEvidence(finding, sessions.optimistic, w);
}

// `why` is a callable returning why the sessions do not count, called only
// for a sentence.
template <typename Why>
void AddExclusion(absl::string_view rule_id, const std::vector<int>& sessions,
                  const EvaluationContext& ctx, Why&& why,
                  CategoryDecision* out) {
  if (sessions.empty()) return;
  v1::Finding* finding =
      AddFinding(ctx, out, rule_id, v1::FINDING_STATUS_ADVISORY, [&] {
        double hours = 0;
        for (int i : sessions) hours += ctx.portfolio.rsc_sessions(i).hours();
        return absl::StrCat(sessions.size(),
                            sessions.size() == 1 ? " session (" : " sessions (",
                            Amount(hours), " hours) not counted: ", why(), ".");
      });
  AddEvidence(finding, "rsc_sessions", sessions);
}

std::string ProviderDetail(const EvaluationContext& ctx, int session,
                           absl::string_view provider_set) {
  const v1::RscSession& s = ctx.portfolio.rsc_sessions(session);
  const CredentialAnswer& answer = ctx.facts.Find(
      ctx.facts.SubjectNumber(s.provider()), ctx.facts.SetNumber(provider_set),
      ctx.index.session_day[session]);
  return absl::StrCat(FormatDay(ctx.index.session_day[session]), " with ",
                      s.provider().display_name().empty()
                          ? SubjectKey(s.provider())
                          : s.provider().display_name(),
                      ": ", answer.detail.empty() ? "not held" : answer.detail);
}

void RRscProvider(const EvaluationContext& ctx, const rb::RscRule& rule,
                  const RscSessions& sessions, bool hours_met_verified,
                  bool hours_met_optimistic, CategoryDecision* out) {
  const auto* providers = CodesAt(rule.provider_categories(), ctx.as_of_iso);
  const auto& not_held = sessions.provider_not_held;
  const auto& unknown = sessions.provider_unknown;
  if (not_held.empty() && unknown.empty()) {
    if (sessions.verified.sessions.empty()) return;
    AddFinding(ctx, out, "R-RSC-PROVIDER", v1::FINDING_STATUS_MET, [&] {
      return absl::StrCat("Every counted session's provider held ",
                          DescribeList(providers),
                          " on the session date (registry).");
    });
    return;
  }
  v1::FindingStatus status;
  if (hours_met_verified) {
    status = v1::FINDING_STATUS_ADVISORY;
  } else if (hours_met_optimistic || not_held.empty()) {
    status = v1::FINDING_STATUS_UNVERIFIED;
  } else {
    status = v1::FINDING_STATUS_NOT_MET;
  }
  v1::Finding* finding = AddFinding(ctx, out, "R-RSC-PROVIDER", status, [&] {
    const std::string set_key = CategorySetKey(providers->codes());
    std::string message;
    if (!not_held.empty()) {
      absl::StrAppend(&message, not_held.size(),
                      " session(s) not counted: the provider did not hold ",
                      DescribeList(providers), " on the session date (first: ",
                      ProviderDetail(ctx, not_held.front(), set_key), "). ");
    }
    if (!unknown.empty()) {
      absl::StrAppend(&message, unknown.size(),
                      " session(s) with a provider the registry could not "
                      "confirm (first: ",
                      ProviderDetail(ctx, unknown.front(), set_key), "). ");
    }
    message.pop_back();
    return message;
  });
  AddEvidence(finding, "rsc_sessions", not_held);
  AddEvidence(finding, "rsc_sessions", unknown);
}

void RRscOptional(const EvaluationContext& ctx, const Category& category,
                  CategoryDecision* out) {
  double hours = 0;
  for (const v1::RscSession& session : ctx.portfolio.rsc_sessions()) {
    if (session.format() != v1::RSC_FORMAT_PEER) hours += session.hours();
  }
  AddFinding(
      ctx, out, "R-RSC-OPTIONAL",
      hours > 0 ? v1::FINDING_STATUS_MET : v1::FINDING_STATUS_ADVISORY, [&] {
        return hours > 0
                   ? absl::StrCat(Amount(hours),
                                  " hours of RS/C documented (optional for ",
                                  category.code(), ").")
                   : absl::StrCat("RS/C is optional for ", category.code(),
                                  " but highly recommended; none documented.");
      });
}

// Samples of the counted sessions received while the applicant provided RS/C:
// flagged so, and inside a work entry of a kind that provides RS/C (the
// flag alone does not count). Flagged sessions outside such work go to
// subset.outside_work.
RscSessions WhileProviding(const EvaluationContext& ctx,
                           const rb::RscRule& rule, const RscSessions& all) {
  const QualifyingPeriods providing(
      ctx, CodesAt(rule.while_providing_service_kinds(), ctx.as_of_iso), "");
  RscSessions subset;
  for (const auto& [from, to] :
       {std::make_pair(&all.verified, &subset.verified),
        std::make_pair(&all.optimistic, &subset.optimistic)}) {
    size_t work_cursor = 0;
    for (size_t k = 0; k < from->sessions.size(); ++k) {
      const int session = from->sessions[k];
      if (!ctx.portfolio.rsc_sessions(session).while_applicant_provided_rsc()) {
        continue;
      }
      if (providing.Contains(from->samples[k].day, &work_cursor)) {
        to->Add(from->samples[k], session);
      } else if (to == &subset.optimistic) {
        subset.outside_work.push_back(session);
      }
    }
  }
  return subset;
}

}  // namespace

void RRsc(const EvaluationContext& ctx, const Category& category,
          CategoryDecision* out) {
  if (!category.has_rsc()) return;
  const rb::RscRule& rule = category.rsc();
  if (rule.optional()) {
    RRscOptional(ctx, category, out);
    return;
  }
  const Window window{
      static_cast<int>(NumberOrZero(rule.max_window_months(), ctx.as_of_iso)),
      static_cast<int>(NumberOrZero(rule.min_span_months(), ctx.as_of_iso))};
  const double min_hours = NumberOrZero(rule.minimum_hours(), ctx.as_of_iso);
  const std::optional<double> min_about =
      NumberAt(rule.about_providing_minimum_hours(), ctx.as_of_iso);
  const RscSessions sessions = SortSessions(ctx, rule, min_about.has_value());
  ctx.counted_sessions.Remember(
      &category, {sessions.verified.sessions, sessions.provider_unknown});
  const WindowPair windows =
      BestWindows(sessions, window, min_hours, min_about.value_or(0));

  AddWindowFinding(ctx, "R-RSC-HOURS", "RS/C received", sessions, windows,
                   window, min_hours, out);
  RRscProvider(ctx, rule, sessions, HoursOk(windows.verified, min_hours),
               HoursOk(windows.optimistic, min_hours), out);
  AddExclusion(
      "R-RSC-PEER", sessions.peer, ctx,
      [] { return "peer supervision never counts"; }, out);
  AddExclusion(
      "R-RSC-AFTER-DEGREE", sessions.before_degree, ctx,
      [&] {
        return absl::StrCat("RS/C counts only after the conferral of a ",
                            DescribeDegreeLevels(CodesAt(
                                rule.after_degree_levels(), ctx.as_of_iso)));
      },
      out);
  AddExclusion(
      "R-RSC-WORK", sessions.outside_work, ctx,
      [&] {
        return absl::StrCat(
            "RS/C counts only while doing qualifying work (",
            DescribeList(
                CodesAt(rule.while_doing_service_kinds(), ctx.as_of_iso)),
            rule.while_serving_population().empty()
                ? ""
                : absl::StrCat(", serving ", rule.while_serving_population()),
            ")");
      },
      out);

  if (min_about) {
    // The "of which" hours are read from the windows chosen for the total.
    const bool met_verified =
        windows.verified.found &&
        AtLeast(windows.verified.subset_hours, *min_about);
    const bool met_optimistic =
        windows.optimistic.found &&
        AtLeast(windows.optimistic.subset_hours, *min_about);
    const double counted = met_verified ? windows.verified.subset_hours
                                        : (windows.optimistic.found
                                               ? windows.optimistic.subset_hours
                                               : 0.0);
    v1::Finding* finding = AddFinding(
        ctx, out, "R-RSC-ABOUT-PROVIDING",
        met_verified     ? v1::FINDING_STATUS_MET
        : met_optimistic ? v1::FINDING_STATUS_UNVERIFIED
                         : v1::FINDING_STATUS_NOT_MET,
        [&] {
          return met_verified
                     ? absl::StrCat(Amount(counted),
                                    " of the counted hours were about RS/C "
                                    "the applicant provides; ",
                                    Amount(*min_about), " required.")
                     : absl::StrCat(
                           Amount(counted), " of ", Amount(*min_about),
                           " hours about RS/C the applicant provides, within "
                           "the counted window; ",
                           Amount(*min_about - counted), " more needed.");
        });
    SetShortfall(finding, "hours", *min_about, counted);
    const SampleSet& set =
        met_verified ? sessions.verified : sessions.optimistic;
    const RscWindow& w = met_verified ? windows.verified : windows.optimistic;
    for (size_t k = w.first; w.found && k <= w.last; ++k) {
      if (set.samples[k].subset_hours > 0) {
        AddEvidence(finding, "rsc_sessions", set.sessions[k]);
      }
    }
  }

  if (const std::optional<double> min_while =
          NumberAt(rule.while_providing_minimum_hours(), ctx.as_of_iso)) {
    const RscSessions subset = WhileProviding(ctx, rule, sessions);
    AddWindowFinding(ctx, "R-RSC-WHILE-PROVIDING",
                     "RS/C received while providing RS/C to others", subset,
                     BestWindows(subset, window, *min_while, 0), window,
                     *min_while, out);
    AddExclusion(
        "R-RSC-WHILE-PROVIDING", subset.outside_work, ctx,
        [&] {
          return absl::StrCat(
              "marked as received while providing RS/C, but no work entry (",
              DescribeList(
                  CodesAt(rule.while_providing_service_kinds(), ctx.as_of_iso)),
              ") shows the applicant providing RS/C then");
        },
        out);
  }
}

const CountedSessions& CountedRscSessions(const EvaluationContext& ctx,
                                          const Category& category) {
  if (const CountedSessions* sorted = ctx.counted_sessions.Find(&category)) {
    return *sorted;
  }
  CountedSessions counted;
  if (!category.has_rsc() || category.rsc().optional()) {
    counted.verified.reserve(ctx.portfolio.rsc_sessions_size());
    for (int i = 0; i < ctx.portfolio.rsc_sessions_size(); ++i) {
      if (ctx.portfolio.rsc_sessions(i).format() != v1::RSC_FORMAT_PEER) {
        counted.verified.push_back(i);
      }
    }
  } else {
    RscSessions sessions = SortSessions(ctx, category.rsc(), false);
    counted.verified = std::move(sessions.verified.sessions);
    counted.unverified = std::move(sessions.provider_unknown);
  }
  return ctx.counted_sessions.Remember(&category, std::move(counted));
}

}  // namespace imh::eligibility
