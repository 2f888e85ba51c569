#include "tests/eligibility/test_support.h"

#include "common/dates.h"
#include "imh/registry/v1/endorsement.pb.h"
#include "services/eligibility/evaluator.h"
#include "services/eligibility/snapshot_verifier.h"

namespace imh::eligibility::testing {

namespace reg = ::imh::registry::v1;

const Rulebook& VirginiaRulebook() {
  static const Rulebook* const rulebook = [] {
    absl::StatusOr<Rulebook> loaded = Rulebook::Load(IMH_TEST_RULEBOOK_PATH);
    if (!loaded.ok()) {
      ADD_FAILURE() << loaded.status();
      std::abort();
    }
    return new Rulebook(*std::move(loaded));
  }();
  return *rulebook;
}

google::type::Date Day(int year, int month, int day) {
  google::type::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

namespace {

reg::Endorsement* AddEndorsement(reg::RegistrySnapshot& snapshot,
                                 const std::string& person_id,
                                 const std::string& number,
                                 const std::string& category,
                                 google::type::Date granted) {
  reg::Endorsement* endorsement = snapshot.add_endorsements();
  endorsement->set_person_id(person_id);
  endorsement->set_endorsement_number(number);
  endorsement->set_category(category);
  *endorsement->mutable_granted_on() = granted;
  reg::StatusChange* grant = endorsement->add_history();
  grant->set_status(reg::ENDORSEMENT_STATUS_ACTIVE);
  *grant->mutable_effective_on() = granted;
  grant->set_reason("granted");
  return endorsement;
}

reg::RegistrySnapshot TestSnapshot() {
  reg::RegistrySnapshot snapshot;
  AddEndorsement(snapshot, kIfrsProvider, "VA-IFRS-0001", "IFRS",
                 Day(2015, 3, 1));
  AddEndorsement(snapshot, kMentorProvider, "VA-IMHMC-0002", "IMHM-C",
                 Day(2012, 1, 1));
  reg::Endorsement* lapsed = AddEndorsement(
      snapshot, kLapsedProvider, "VA-IFRS-0003", "IFRS", Day(2015, 1, 1));
  reg::StatusChange* lapse = lapsed->add_history();
  lapse->set_status(reg::ENDORSEMENT_STATUS_LAPSED);
  *lapse->mutable_effective_on() = Day(2024, 6, 1);
  lapse->set_reason("renewal not received");
  AddEndorsement(snapshot, kLateProvider, "VA-IFRS-0004", "IFRS",
                 Day(2025, 6, 1));
  AddEndorsement(snapshot, kIfsRater, "VA-IFS-0005", "IFS", Day(2016, 9, 1));
  return snapshot;
}

v1::Portfolio Base() {
  v1::Portfolio p;
  p.set_portfolio_id("test");
  p.mutable_applicant()->mutable_person()->set_display_name("Alex Applicant");
  p.mutable_applicant()->set_residence_state("VA");
  p.mutable_applicant()->set_population_focus(
      v1::POPULATION_FOCUS_BIRTH_TO_36_MONTHS);
  p.mutable_membership()->set_paid_through_year(2026);
  *p.mutable_ethics()->mutable_code_of_ethics_signed_on() = Day(2026, 1, 10);
  *p.mutable_ethics()->mutable_endorsement_agreement_signed_on() =
      Day(2026, 1, 10);
  p.mutable_exam()->set_passed(true);
  *p.mutable_exam()->mutable_taken_on() = Day(2025, 6, 1);
  return p;
}

}  // namespace

CredentialVerifier& TestRegistry() {
  static SnapshotVerifier* const verifier =
      new SnapshotVerifier(TestSnapshot());
  return *verifier;
}

std::vector<CredentialAnswer> UnreachableRegistry::Verify(
    const std::vector<CredentialQuestion>& questions) {
  return std::vector<CredentialAnswer>(
      questions.size(),
      {CredentialStatus::kUnknown, "", "", "registry unavailable", ""});
}

v1::EducationEntry* AddDegree(v1::Portfolio& portfolio, v1::DegreeLevel level,
                              const std::string& degree,
                              google::type::Date conferred, bool transcript) {
  v1::EducationEntry* entry = portfolio.add_education();
  entry->set_level(level);
  entry->set_degree(degree);
  entry->set_field("Social Work");
  entry->set_field_related_to_early_childhood(true);
  *entry->mutable_conferred_on() = conferred;
  entry->set_official_transcript_received(transcript);
  return entry;
}

v1::TrainingEntry* AddTraining(v1::Portfolio& portfolio, double hours,
                               v1::TrainingTopic topic, bool didactic) {
  v1::TrainingEntry* entry = portfolio.add_trainings();
  entry->set_title("training");
  entry->set_clock_hours(hours);
  entry->set_topic(topic);
  entry->set_didactic(didactic);
  *entry->mutable_completed_on() = Day(2023, 3, 1);
  return entry;
}

void AddMonthlySessions(v1::Portfolio& portfolio,
                        const std::string& provider_id, absl::CivilDay first,
                        int count, double hours) {
  for (int i = 0; i < count; ++i) {
    v1::RscSession* session = portfolio.add_rsc_sessions();
    *session->mutable_held_on() = ToProtoDate(AddMonths(first, i));
    session->set_hours(hours);
    session->set_format(v1::RSC_FORMAT_INDIVIDUAL);
    session->mutable_provider()->set_display_name("Provider " + provider_id);
    session->mutable_provider()->set_person_id(provider_id);
  }
}

v1::WorkEntry* AddWork(v1::Portfolio& portfolio, v1::ServiceKind kind,
                       google::type::Date start,
                       const google::type::Date* end) {
  v1::WorkEntry* entry = portfolio.add_work();
  entry->set_employer("Agency");
  entry->set_service_kind(kind);
  *entry->mutable_started_on() = start;
  if (end != nullptr) {
    *entry->mutable_ended_on() = *end;
  } else {
    entry->set_current(true);
  }
  entry->set_paid(true);
  entry->set_supervised(true);
  entry->set_population_served(v1::POPULATION_FOCUS_BIRTH_TO_36_MONTHS);
  entry->set_with_parents_or_caregivers(true);
  entry->set_families_served(25);
  return entry;
}

v1::LeadershipEntry* AddLeadership(v1::Portfolio& portfolio,
                                   v1::LeadershipLevel level,
                                   google::type::Date start,
                                   const google::type::Date* end) {
  v1::LeadershipEntry* entry = portfolio.add_leadership();
  entry->set_activity("state workgroup");
  entry->set_level(level);
  *entry->mutable_started_on() = start;
  if (end != nullptr) {
    *entry->mutable_ended_on() = *end;
  } else {
    entry->set_current(true);
  }
  entry->set_in_addition_to_paid_work(true);
  entry->set_infant_toddler_specific(true);
  return entry;
}

v1::ReferenceRating* AddReference(v1::Portfolio& portfolio,
                                  v1::ReferenceRole role,
                                  const std::string& name,
                                  const std::string& person_id) {
  v1::ReferenceRating* rating = portfolio.add_references();
  rating->mutable_rater()->set_display_name(name);
  rating->mutable_rater()->set_person_id(person_id);
  rating->set_role(role);
  rating->set_familiarity_attested(true);
  return rating;
}

v1::Portfolio EligibleIfa() {
  v1::Portfolio p = Base();
  AddTraining(p, 30, v1::TRAINING_TOPIC_SOCIAL_EMOTIONAL);
  AddTraining(p, 15, v1::TRAINING_TOPIC_OTHER_IMH);
  AddWork(p, v1::SERVICE_KIND_PROMOTION, Day(2020, 1, 1), nullptr);
  AddReference(p, v1::REFERENCE_ROLE_PROGRAM_SUPERVISOR, "Sam Supervisor");
  AddReference(p, v1::REFERENCE_ROLE_ENDORSED_PROFESSIONAL, "Ivy Specialist",
               kIfsRater);
  AddReference(p, v1::REFERENCE_ROLE_PARENT_OR_SERVICE_RECIPIENT, "Pat Parent");
  return p;
}

v1::Portfolio EligibleIfs() {
  v1::Portfolio p = Base();
  AddDegree(p, v1::DEGREE_LEVEL_BACHELOR, "BSW", Day(2018, 5, 15));
  AddTraining(p, 40, v1::TRAINING_TOPIC_SOCIAL_EMOTIONAL);
  AddTraining(p, 5, v1::TRAINING_TOPIC_DIVERSITY_EQUITY_INCLUSION);
  AddTraining(p, 15, v1::TRAINING_TOPIC_RSC_PROVISION, /*didactic=*/true);
  AddMonthlySessions(p, kIfrsProvider, absl::CivilDay(2024, 1, 10), 13, 2);
  AddWork(p, v1::SERVICE_KIND_PREVENTION, Day(2019, 1, 1), nullptr);
  AddReference(p, v1::REFERENCE_ROLE_PROGRAM_SUPERVISOR, "Sam Supervisor");
  AddReference(p, v1::REFERENCE_ROLE_RSC_PROVIDER, "Rita Provider",
               kIfrsProvider);
  AddReference(p, v1::REFERENCE_ROLE_COLLEAGUE, "Cory Colleague");
  return p;
}

v1::Portfolio EligibleIfrs() {
  v1::Portfolio p = Base();
  AddTraining(p, 30, v1::TRAINING_TOPIC_SOCIAL_EMOTIONAL);
  AddTraining(p, 15, v1::TRAINING_TOPIC_RSC_PROVISION);
  AddTraining(p, 3, v1::TRAINING_TOPIC_DIVERSITY_EQUITY_INCLUSION);
  AddMonthlySessions(p, kIfrsProvider, absl::CivilDay(2024, 1, 10), 13, 2);
  for (v1::RscSession& session : *p.mutable_rsc_sessions()) {
    session.set_while_applicant_provided_rsc(true);
  }
  AddWork(p, v1::SERVICE_KIND_EARLY_INTERVENTION, Day(2018, 1, 1), nullptr);
  // Providing RS/C to staff since 2023: the Part 2 sessions fall inside it.
  AddWork(p, v1::SERVICE_KIND_RSC_PROVISION, Day(2023, 1, 1), nullptr);
  AddLeadership(p, v1::LEADERSHIP_LEVEL_STATE, Day(2022, 1, 1), nullptr);
  AddReference(p, v1::REFERENCE_ROLE_PROGRAM_SUPERVISOR, "Sam Supervisor");
  AddReference(p, v1::REFERENCE_ROLE_RSC_PROVIDER, "Rita Provider",
               kIfrsProvider);
  AddReference(p, v1::REFERENCE_ROLE_RSC_RECIPIENT, "Riley Supervisee");
  return p;
}

v1::Portfolio EligibleImhs() {
  v1::Portfolio p = Base();
  AddDegree(p, v1::DEGREE_LEVEL_MASTER, "MSW", Day(2017, 5, 20));
  AddTraining(p, 60, v1::TRAINING_TOPIC_SOCIAL_EMOTIONAL);
  AddTraining(p, 15, v1::TRAINING_TOPIC_OTHER_IMH);
  AddMonthlySessions(p, kIfrsProvider, absl::CivilDay(2024, 1, 10), 13, 4);
  AddWork(p, v1::SERVICE_KIND_IMH_TREATMENT, Day(2018, 1, 1), nullptr);
  AddReference(p, v1::REFERENCE_ROLE_PROGRAM_SUPERVISOR, "Sam Supervisor");
  AddReference(p, v1::REFERENCE_ROLE_RSC_PROVIDER, "Rita Provider",
               kIfrsProvider);
  AddReference(p, v1::REFERENCE_ROLE_COLLEAGUE, "Cory Colleague");
  return p;
}

v1::Portfolio EligibleImhmClinical() {
  v1::Portfolio p = Base();
  AddDegree(p, v1::DEGREE_LEVEL_MASTER, "MSW", Day(2009, 5, 20));
  AddTraining(p, 60, v1::TRAINING_TOPIC_SOCIAL_EMOTIONAL);
  AddTraining(p, 20, v1::TRAINING_TOPIC_RSC_PROVISION, /*didactic=*/true);
  AddTraining(p, 10, v1::TRAINING_TOPIC_DIVERSITY_EQUITY_INCLUSION);
  AddMonthlySessions(p, kMentorProvider, absl::CivilDay(2024, 1, 10), 13, 4);
  for (int i = 0; i < 7; ++i) {
    p.mutable_rsc_sessions(i)->set_about_rsc_applicant_provides(true);
  }
  const google::type::Date ended = Day(2016, 12, 31);
  AddWork(p, v1::SERVICE_KIND_EARLY_INTERVENTION, Day(2010, 1, 1), &ended)
      ->set_families_served(30);
  v1::WorkEntry* supervising =
      AddWork(p, v1::SERVICE_KIND_RSC_PROVISION, Day(2017, 1, 1), nullptr);
  supervising->set_families_served(0);
  supervising->set_staff_supervised(6);
  AddLeadership(p, v1::LEADERSHIP_LEVEL_STATE, Day(2020, 1, 1), nullptr);
  AddReference(p, v1::REFERENCE_ROLE_PROGRAM_SUPERVISOR, "Sam Supervisor");
  AddReference(p, v1::REFERENCE_ROLE_RSC_PROVIDER, "Morgan Mentor",
               kMentorProvider);
  AddReference(p, v1::REFERENCE_ROLE_RSC_RECIPIENT, "Riley Supervisee");
  return p;
}

v1::Portfolio EligibleImhmPolicy() {
  v1::Portfolio p = Base();
  AddDegree(p, v1::DEGREE_LEVEL_MASTER, "MSW", Day(2009, 5, 20));
  AddTraining(p, 60, v1::TRAINING_TOPIC_SOCIAL_EMOTIONAL);
  AddTraining(p, 30, v1::TRAINING_TOPIC_OTHER_IMH);
  AddWork(p, v1::SERVICE_KIND_POLICY_ADMINISTRATION, Day(2012, 1, 1), nullptr);
  AddLeadership(p, v1::LEADERSHIP_LEVEL_STATE, Day(2020, 1, 1), nullptr);
  AddReference(p, v1::REFERENCE_ROLE_PROGRAM_SUPERVISOR, "Sam Supervisor");
  AddReference(p, v1::REFERENCE_ROLE_COLLEAGUE, "Ivy Specialist", kIfsRater);
  AddReference(p, v1::REFERENCE_ROLE_COLLEAGUE, "Cory Colleague");
  return p;
}

v1::Portfolio EligibleImhmResearchFaculty() {
  v1::Portfolio p = Base();
  AddDegree(p, v1::DEGREE_LEVEL_DOCTORATE, "PhD", Day(2012, 5, 20));
  AddTraining(p, 60, v1::TRAINING_TOPIC_SOCIAL_EMOTIONAL);
  AddTraining(p, 30, v1::TRAINING_TOPIC_OTHER_IMH);
  AddWork(p, v1::SERVICE_KIND_UNIVERSITY_TEACHING_RESEARCH, Day(2013, 1, 1),
          nullptr);
  AddLeadership(p, v1::LEADERSHIP_LEVEL_STATE, Day(2020, 1, 1), nullptr);
  AddReference(p, v1::REFERENCE_ROLE_DEPARTMENT_CHAIR, "Dana Chair");
  AddReference(p, v1::REFERENCE_ROLE_COLLEAGUE, "Ivy Specialist", kIfsRater);
  AddReference(p, v1::REFERENCE_ROLE_STUDENT, "Stu Student");
  return p;
}

v1::CategoryDecision Decide(const v1::Portfolio& portfolio,
                            const std::string& category) {
  return Decide(portfolio, category, TestRegistry());
}

v1::CategoryDecision Decide(const v1::Portfolio& portfolio,
                            const std::string& category,
                            CredentialVerifier& verifier) {
  absl::StatusOr<v1::Decision> decision = EvaluateWithVerifier(
      portfolio, VirginiaRulebook(), kAsOf, {category}, verifier);
  if (!decision.ok()) {
    ADD_FAILURE() << decision.status();
    return {};
  }
  if (decision->categories_size() != 1) {
    ADD_FAILURE() << "expected one category decision";
    return {};
  }
  return decision->categories(0);
}

std::vector<v1::Finding> FindingsOf(const v1::CategoryDecision& decision,
                                    const std::string& rule_id) {
  std::vector<v1::Finding> found;
  for (const v1::Finding& finding : decision.findings()) {
    if (finding.rule_id() == rule_id) found.push_back(finding);
  }
  return found;
}

v1::Finding FindingOf(const v1::CategoryDecision& decision,
                      const std::string& rule_id) {
  std::vector<v1::Finding> found = FindingsOf(decision, rule_id);
  if (found.size() != 1) {
    ADD_FAILURE() << "expected exactly one " << rule_id << " finding, got "
                  << found.size() << " in:\n"
                  << decision.DebugString();
    return {};
  }
  return found[0];
}

bool HasFinding(const v1::CategoryDecision& decision,
                const std::string& rule_id) {
  return !FindingsOf(decision, rule_id).empty();
}

std::vector<int> Cited(const v1::Finding& finding,
                       const std::string& collection) {
  std::vector<int> indices;
  for (const v1::Evidence& evidence : finding.evidence()) {
    if (evidence.path() != "portfolio." + collection) continue;
    indices.insert(indices.end(), evidence.indices().begin(),
                   evidence.indices().end());
  }
  return indices;
}

}  // namespace imh::eligibility::testing
