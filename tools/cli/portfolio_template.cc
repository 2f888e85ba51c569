#include "tools/cli/portfolio_template.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace imh::tools {
namespace {

// {"year": Y, "month": M, "day": D} for a day.
std::string DateJson(absl::CivilDay day) {
  return absl::StrCat("{\"year\": ", day.year(), ", \"month\": ", day.month(),
                      ", \"day\": ", day.day(), "}");
}

// "used by IFS: ..." or "not used by IFS: ..." for a section's comment.
std::string Use(bool used, const std::string& code, const std::string& how) {
  return used ? absl::StrCat("used by ", code, ": ", how)
              : absl::StrCat("not used by ", code,
                             " (it may stay empty; it is still validated)");
}

constexpr char kTemplate[] =
    R"(// Portfolio template: {CODE} {NAME} (rulebook {VERSION}).
// Whole-line "//" comments explain each field; imh reads past them. Replace
// the example values, delete entries you do not need (lists may be empty),
// then run:  imh portfolio check FILE   and   imh evaluate --category={CODE} FILE
// Every date is a calendar day {"year", "month", "day"} and none may be after
// the day decided on. Enum values are spelled in full, as shown.
{
  // An identifier of your portal for this application (not personal data).
  "portfolioId": "{ID}",
  "applicant": {
    "person": {
      // The applicant's name as it should appear on the registry.
      "displayName": "Applicant Name",
      // The registry's person id ("P-..."), given by the association: a
      // decision can only be submitted as an application when it names one.
      "personId": "",
      // A registry endorsement number of the applicant's, if they hold one.
      "endorsementNumber": ""
    },
    // Two-letter USPS code of the state of residence (R-GEN-RESIDENCE).
    "residenceState": "VA",
    // POPULATION_FOCUS_BIRTH_TO_36_MONTHS (IMH-E) or POPULATION_FOCUS_AGES_3_TO_6
    // (ECMH-E) (R-GEN-POPULATION).
    "populationFocus": "POPULATION_FOCUS_BIRTH_TO_36_MONTHS"
  },
  // Degrees ({EDUCATION}).
  // level: DEGREE_LEVEL_ASSOCIATE, _BACHELOR, _UNIVERSITY_CERTIFICATE,
  //   _POSTGRADUATE_SPECIALIZATION, _MASTER or _DOCTORATE.
  // degree: the abbreviation conferred ("MSW", "PsyD"); field: the field of
  // study; fieldRelatedToEarlyChildhood: whether that field relates to infant
  // and early childhood; officialTranscriptReceived: the association holds an
  // official transcript.
  "education": [
    {
      "level": "DEGREE_LEVEL_BACHELOR",
      "degree": "BSW",
      "field": "Social Work",
      "fieldRelatedToEarlyChildhood": true,
      "institution": "University",
      "conferredOn": {DEGREE_DAY},
      "officialTranscriptReceived": true
    }
  ],
  // Child Development Associate credential: the day awarded
  // ({CDA}). Delete "cda" if you hold none.
  "cda": {"awardedOn": {DEGREE_DAY}},
  // In-service trainings ({TRAINING}).
  // One topic per entry; its hours count toward that topic only:
  // TRAINING_TOPIC_SOCIAL_EMOTIONAL, _RSC_PROVISION, _DIVERSITY_EQUITY_INCLUSION
  // or _OTHER_IMH. didactic: classroom-style teaching;
  // competencyGuidelinesCoursework: university coursework specific to the
  // Competency Guidelines.
  "trainings": [
    {
      "title": "Training title",
      "completedOn": {TRAINING_DAY},
      "clockHours": 8,
      "topic": "TRAINING_TOPIC_SOCIAL_EMOTIONAL",
      "didactic": false,
      "competencyGuidelinesCoursework": false
    }
  ],
  // Reflective supervision/consultation received, one entry per session
  // ({RSC}).
  // format: RSC_FORMAT_INDIVIDUAL, _GROUP or _PEER (peer sessions are
  // documented, never counted). provider: whoever gave it, named by registry
  // person id or endorsement number so that the registry can confirm their
  // endorsement on the session's day. aboutRscApplicantProvides: the session
  // was about RS/C the applicant gives others; whileApplicantProvidedRsc:
  // received while the applicant was providing RS/C.
  "rscSessions": [
    {
      "heldOn": {SESSION_DAY},
      "hours": 1,
      "format": "RSC_FORMAT_INDIVIDUAL",
      "provider": {"displayName": "Provider Name", "personId": "", "endorsementNumber": "VA-IFRS-000123"},
      "aboutRscApplicantProvides": false,
      "whileApplicantProvidedRsc": false
    }
  ],
  // Work experience ({WORK}).
  // endedOn: the last day worked, left out when current is true.
  // hoursPerWeek: 0 means full time. populationServed: as populationFocus.
  // serviceKind: SERVICE_KIND_PROMOTION, _PREVENTION, _EARLY_INTERVENTION,
  //   _IMH_TREATMENT, _RSC_PROVISION, _POLICY_ADMINISTRATION,
  //   _UNIVERSITY_TEACHING_RESEARCH or _OTHER.
  // withParentsOrCaregivers: work with both the child and their parents or
  // guardians; includedSpecializedTraining: a volunteer role that included
  // specialized training; familiesServed, staffSupervised: counts.
  "work": [
    {
      "employer": "Employer",
      "role": "Role",
      "startedOn": {WORK_DAY},
      "current": true,
      "paid": true,
      "supervised": true,
      "hoursPerWeek": 0,
      "populationServed": "POPULATION_FOCUS_BIRTH_TO_36_MONTHS",
      "serviceKind": "SERVICE_KIND_PREVENTION",
      "familiesServed": 0,
      "staffSupervised": 0,
      "withParentsOrCaregivers": true,
      "includedSpecializedTraining": false
    }
  ],
  // Leadership activities ({LEADERSHIP}).
  // level: LEADERSHIP_LEVEL_LOCAL, _REGIONAL, _STATE or _NATIONAL;
  // inAdditionToPaidWork: done beyond paid work; infantToddlerSpecific: for or
  // on behalf of pregnant people, infants and toddlers. endedOn as for work.
  "leadership": [],
  // The last calendar year of VAIMH membership paid; 0 for none ({MEMBERSHIP}).
  "membership": {"paidThroughYear": {YEAR}},
  // Days the Code of Ethics and the Endorsement Agreement were signed
  // ({ETHICS}).
  "ethics": {
    "codeOfEthicsSignedOn": {SIGNED_DAY},
    "endorsementAgreementSignedOn": {SIGNED_DAY}
  },
  // The endorsement exam ({EXAM}). Delete "exam" if not taken.
  "exam": {"passed": false, "takenOn": {SIGNED_DAY}},
  // Reference ratings ({REFERENCES}).
  // role: REFERENCE_ROLE_PROGRAM_SUPERVISOR, _DEPARTMENT_CHAIR, _RSC_PROVIDER,
  //   _ENDORSED_PROFESSIONAL, _OTHER_SUPERVISOR, _TRAINER, _CONSULTANT,
  //   _COLLEAGUE, _SUPERVISEE, _RSC_RECIPIENT, _PARENT_OR_SERVICE_RECIPIENT,
  //   _TEACHER, _CDA_MENTOR, _BOARD_MEMBER or _STUDENT.
  // A rater whose endorsement matters is named by person id or endorsement
  // number; familiarityAttested: the rater attests familiarity with the
  // applicant's capacity to implement IMH principles (R-REF-FAMILIAR).
  "references": [
    {
      "rater": {"displayName": "Rater Name", "personId": "", "endorsementNumber": ""},
      "role": "REFERENCE_ROLE_PROGRAM_SUPERVISOR",
      "familiarityAttested": true
    }
  ]
}
)";

}  // namespace

std::string PortfolioTemplate(const rulebook::v1::Category& category,
                              const std::string& rulebook_version,
                              absl::CivilDay today) {
  const std::string& code = category.code();
  const bool cda = category.work().alternative().cda();
  return absl::StrReplaceAll(
      kTemplate,
      {{"{CODE}", code},
       {"{NAME}", category.name()},
       {"{VERSION}", rulebook_version},
       {"{ID}", absl::StrCat("application-", code)},
       {"{EDUCATION}",
        Use(category.has_education(), code, "the qualifying degree, R-EDU-*")},
       {"{CDA}", Use(cda, code,
                     "instead of the work requirement, "
                     "R-WRK-ALTERNATIVE")},
       {"{TRAINING}", Use(category.has_training(), code,
                          "clock hours in total and by topic, R-TRN-*")},
       {"{RSC}", Use(category.has_rsc(), code,
                     category.rsc().optional()
                         ? "optional, highly recommended, R-RSC-*"
                         : "hours within a window, from an endorsed "
                           "provider, R-RSC-*")},
       {"{WORK}", Use(category.has_work(), code,
                      "qualifying months, pro-rated for part time, R-WRK-*")},
       {"{LEADERSHIP}", Use(category.has_leadership(), code,
                            "qualifying activities and months, R-LDR-*")},
       {"{MEMBERSHIP}", Use(category.membership_required(), code,
                            "paid for the current year, R-MEM")},
       {"{ETHICS}",
        Use(category.ethics_required(), code, "both signed, R-ETH")},
       {"{EXAM}", Use(category.has_exam(), code, "passed, R-EXM")},
       {"{REFERENCES}", Use(category.has_references(), code,
                            "ratings by the roles required, R-REF-*")},
       {"{YEAR}", absl::StrCat(today.year())},
       {"{DEGREE_DAY}", DateJson(absl::CivilDay(today.year() - 6, 5, 15))},
       {"{WORK_DAY}", DateJson(absl::CivilDay(today.year() - 5, 1, 10))},
       {"{TRAINING_DAY}", DateJson(absl::CivilDay(today.year() - 2, 3, 20))},
       {"{SESSION_DAY}", DateJson(absl::CivilDay(today.year() - 1, 2, 12))},
       {"{SIGNED_DAY}", DateJson(today - 30)}});
}

}  // namespace imh::tools
