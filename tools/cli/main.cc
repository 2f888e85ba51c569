// imh: the command line of the association's staff and operators for the
// eligibility service and the registry. See `imh --help`.

#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "tools/cli/commands.h"

ABSL_FLAG(std::vector<std::string>, category, {},
          "categories, comma-separated (codes or aliases)");
ABSL_FLAG(std::string, as_of, "",
          "decide (or lapse, or check) as of this day, YYYY-MM-DD (default: "
          "today in Virginia)");
ABSL_FLAG(std::string, person, "", "the person id (P-1001)");
ABSL_FLAG(std::string, endorsement, "",
          "verify: the endorsement number (VA-IFRS-1001)");
ABSL_FLAG(std::string, on, "", "verify: the day asked about (default: today)");
ABSL_FLAG(std::string, through, "",
          "verify: with --on, every day from --on through this one; prints "
          "each day the answer changes");
ABSL_FLAG(std::string, status, "",
          "list: active, lapsed, suspended, revoked or retired");
ABSL_FLAG(std::string, state, "",
          "application list: pending, granted or declined");
ABSL_FLAG(std::string, name, "",
          "list: part of the display name; person create: the display name");
ABSL_FLAG(std::string, county, "", "list, person create: the county");
ABSL_FLAG(int, membership_through, 0,
          "person create: the last membership year paid (0: none)");
ABSL_FLAG(int, limit, 0, "list: at most this many (default: all)");
ABSL_FLAG(std::string, html, "",
          "report: the HTML file to write (a decision with its timeline)");
ABSL_FLAG(std::string, out, "-",
          "export-csv, portfolio new: the file (default: stdout)");
ABSL_FLAG(std::string, save_decision, "",
          "evaluate, renew: write the signed decision to this file");
ABSL_FLAG(
    std::vector<std::string>, ack, {},
    "review approve: the ADVISORY rule ids acknowledged, comma-separated");
ABSL_FLAG(std::string, comment, "", "review: why (required to decline)");
ABSL_FLAG(std::string, reason, "", "endorsement status changes: why");
ABSL_FLAG(std::string, etag, "",
          "endorsement status changes: the etag last read (refused if stale)");
ABSL_FLAG(std::string, effective_on, "",
          "endorsement status changes: the first day (default: today)");
ABSL_FLAG(int, year, 0, "membership record, due memberships: the year");
ABSL_FLAG(int, cycle, 0, "due renewals: the renewal cycle year");
ABSL_FLAG(std::string, rulebook, "",
          "portfolio new, db copy: rulebook textproto (default: the "
          "built-in one)");
ABSL_FLAG(std::string, server, "eligibility",
          "health, metrics: eligibility or registry");
ABSL_FLAG(std::string, from, "",
          "db copy, db compare: the registry's SQLite file");
ABSL_FLAG(std::string, to, "",
          "db copy, db compare: the other registry (postgresql://... or a "
          "file)");
ABSL_FLAG(bool, prometheus, false,
          "metrics: the Prometheus text exposition format");

namespace {

namespace tools = imh::tools;

constexpr char kUsage[] =
    R"(the association's command line for the endorsement services.

usage: imh COMMAND [SUBCOMMAND] [flags] [ARG...]

eligibility service (--eligibility=HOST:PORT, default 127.0.0.1:50051):
  evaluate FILE...          decide portfolio JSON files [--category=IFS,...]
                            [--as_of=DAY] [--save_decision=OUT.json (one file)]
  report FILE --html=OUT    the decision as a page: outcomes, findings, a
                            timeline (asks the registry for the providers)
                            [--category=IFS,...] [--as_of=DAY]
  recommend FILE...         every category, the eligible ones, the next step
  renew FILE...             decide renewal attestations [--as_of=DAY]
                            [--save_decision=OUT.json (one file)]
  rulebook                  the rulebook in force: version, dates, categories

portfolio files (no service needed):
  portfolio new CATEGORY    a template with every field explained [--out=FILE]
  portfolio check FILE...   validate without deciding [--as_of=DAY]

registry (--registry=HOST:PORT, default 127.0.0.1:50052):
  verify                    --person=P-1001 | --endorsement=VA-IFRS-1001
                            --category=IFRS,IMHM-C [--on=DAY]
  list                      the registry [--category=] [--status=active]
                            [--name=] [--county=] [--limit=N]
  application submit DECISION.json --category=IFS [--person=P-2001]
  application list          [--state=pending|granted|declined] [--person=]
  application show A-1
  review approve A-1        [--ack=R-EDU-LISTED,...] [--comment=TEXT]
  review decline A-1        --comment=TEXT
                            (reviews need --tls_cert of a reviewer)
  endorsement show NUMBER
  endorsement suspend|revoke|reinstate|retire NUMBER --reason=TEXT
                            [--etag=ETAG] [--effective_on=DAY]
  person create             --person=P-2001 --name=NAME [--county=]
                            [--membership_through=YEAR]
  person show P-1001        everything recorded about a person
  membership record         --person=P-1001 --year=2027
  renewal record NUMBER DECISION.json
  lapses run                [--as_of=DAY]
  due renewals              --cycle=2027
  due memberships           --year=2027
  backup NAME               an online backup of the whole registry, written by
                            the registry into its --backup_dir as NAME
  import-csv FILE           add the rows of a registry CSV (see README)
  export-csv                every endorsement as CSV [--out=FILE]

registry databases (no service; stop the registries first):
  db copy                   --from=registry.sqlite --to=postgresql://...
                            a SQLite registry moved into an empty one, all of
                            it, then every table compared [--rulebook=]
  db compare                --from=registry.sqlite --to=postgresql://...

either server (--server=eligibility|registry):
  health                    grpc.health.v1 status
  metrics                   per-method calls and latencies [--prometheus]

common: --json, --timeout_ms, --request_id (also makes a write idempotent),
        --actor, --tls_ca, --tls_cert, --tls_key, --tls_server_name
exit status: 0 done; 1 refused (the service said no, or a file is invalid);
             2 usage error; 3 a service unreachable or too slow)";

int Usage(const std::string& message) {
  std::cerr << "imh: " << message << "; see imh --help\n";
  return tools::kExitUsage;
}

// The command's arguments after the command word (and subcommand).
struct Args {
  std::string command;
  std::string sub;
  std::vector<std::string> rest;
};

int Applications(const tools::ClientOptions& options, const Args& args) {
  if (args.sub == "submit") {
    if (args.rest.size() != 1) return Usage("application submit takes a file");
    const std::vector<std::string> categories = absl::GetFlag(FLAGS_category);
    if (categories.size() != 1) {
      return Usage("application submit needs one --category");
    }
    return tools::SubmitApplication(options, args.rest[0], categories[0],
                                    absl::GetFlag(FLAGS_person));
  }
  if (args.sub == "list") {
    return tools::ListApplications(options, absl::GetFlag(FLAGS_state),
                                   absl::GetFlag(FLAGS_person));
  }
  if (args.sub == "show") {
    if (args.rest.size() != 1) return Usage("application show takes an id");
    return tools::ShowApplication(options, args.rest[0]);
  }
  return Usage("application takes submit, list or show");
}

int Review(const tools::ClientOptions& options, const Args& args) {
  if (args.sub != "approve" && args.sub != "decline") {
    return Usage("review takes approve or decline");
  }
  if (args.rest.size() != 1) return Usage("review takes an application id");
  tools::ReviewArgs review;
  review.application_id = args.rest[0];
  review.approve = args.sub == "approve";
  review.acknowledged_advisories = absl::GetFlag(FLAGS_ack);
  review.comment = absl::GetFlag(FLAGS_comment);
  if (!review.approve && review.comment.empty()) {
    return Usage("review decline needs --comment");
  }
  return tools::ReviewApplication(options, review);
}

int Endorsement(const tools::ClientOptions& options, const Args& args) {
  if (args.rest.size() != 1) {
    return Usage("endorsement takes one endorsement number");
  }
  if (args.sub == "show") return tools::ShowEndorsement(options, args.rest[0]);
  namespace reg = imh::registry::v1;
  tools::StatusChangeArgs change;
  if (args.sub == "suspend") {
    change.status = reg::ENDORSEMENT_STATUS_SUSPENDED;
  } else if (args.sub == "revoke") {
    change.status = reg::ENDORSEMENT_STATUS_REVOKED;
  } else if (args.sub == "reinstate") {
    change.status = reg::ENDORSEMENT_STATUS_ACTIVE;
  } else if (args.sub == "retire") {
    change.status = reg::ENDORSEMENT_STATUS_RETIRED;
  } else {
    return Usage(
        "endorsement takes show, suspend, revoke, reinstate or retire");
  }
  change.endorsement_number = args.rest[0];
  change.reason = absl::GetFlag(FLAGS_reason);
  change.etag = absl::GetFlag(FLAGS_etag);
  change.effective_on = absl::GetFlag(FLAGS_effective_on);
  if (change.reason.empty()) return Usage("a status change needs --reason");
  return tools::ChangeEndorsementStatus(options, change);
}

int Person(const tools::ClientOptions& options, const Args& args) {
  if (args.sub == "show") {
    if (args.rest.size() != 1) return Usage("person show takes a person id");
    return tools::ShowPerson(options, args.rest[0]);
  }
  if (args.sub == "create") {
    imh::registry::v1::Person person;
    person.set_person_id(absl::GetFlag(FLAGS_person));
    person.set_display_name(absl::GetFlag(FLAGS_name));
    person.set_county(absl::GetFlag(FLAGS_county));
    person.set_membership_paid_through_year(
        absl::GetFlag(FLAGS_membership_through));
    if (person.person_id().empty() || person.display_name().empty()) {
      return Usage("person create needs --person and --name");
    }
    return tools::CreatePerson(options, person);
  }
  return Usage("person takes show or create");
}

int Portfolio(const tools::ClientOptions& options, const Args& args) {
  if (args.sub == "new") {
    if (args.rest.size() != 1) return Usage("portfolio new takes a category");
    return tools::NewPortfolio(absl::GetFlag(FLAGS_rulebook), args.rest[0],
                               absl::GetFlag(FLAGS_out));
  }
  if (args.sub == "check") {
    if (args.rest.empty()) return Usage("portfolio check needs files");
    return tools::CheckPortfolios(options, args.rest,
                                  absl::GetFlag(FLAGS_as_of));
  }
  return Usage("portfolio takes new or check");
}

// Commands with a subcommand word: "application submit", "due renewals"...
int WithSubcommand(const tools::ClientOptions& options, const Args& args) {
  if (args.command == "application") return Applications(options, args);
  if (args.command == "review") return Review(options, args);
  if (args.command == "endorsement") return Endorsement(options, args);
  if (args.command == "person") return Person(options, args);
  if (args.command == "portfolio") return Portfolio(options, args);
  if (args.command == "membership") {
    if (args.sub != "record") return Usage("membership takes record");
    const int year = absl::GetFlag(FLAGS_year);
    if (absl::GetFlag(FLAGS_person).empty() || year == 0) {
      return Usage("membership record needs --person and --year");
    }
    return tools::RecordMembership(options, absl::GetFlag(FLAGS_person), year);
  }
  if (args.command == "renewal") {
    if (args.sub != "record" || args.rest.size() != 2) {
      return Usage("renewal record takes NUMBER DECISION.json");
    }
    return tools::RecordRenewal(options, args.rest[0], args.rest[1]);
  }
  if (args.command == "backup") {
    if (args.sub.empty() || !args.rest.empty()) {
      return Usage("backup takes one file name");
    }
    return tools::BackupRegistry(options, args.sub);
  }
  if (args.command == "db") {
    const std::string from = absl::GetFlag(FLAGS_from);
    const std::string to = absl::GetFlag(FLAGS_to);
    if (from.empty() || to.empty() || !args.rest.empty()) {
      return Usage("db copy and db compare need --from and --to");
    }
    if (args.sub == "copy") {
      return tools::CopyRegistryDatabase(options, from, to,
                                         absl::GetFlag(FLAGS_rulebook));
    }
    if (args.sub == "compare") {
      return tools::CompareRegistryDatabases(options, from, to);
    }
    return Usage("db takes copy or compare");
  }
  if (args.command == "lapses") {
    if (args.sub != "run") return Usage("lapses takes run");
    return tools::RunLapses(options, absl::GetFlag(FLAGS_as_of));
  }
  if (args.command == "due") {
    if (args.sub == "renewals") {
      const int cycle = absl::GetFlag(FLAGS_cycle);
      if (cycle == 0) return Usage("due renewals needs --cycle");
      return tools::ListRenewalsDue(options, cycle);
    }
    if (args.sub == "memberships") {
      const int year = absl::GetFlag(FLAGS_year);
      if (year == 0) return Usage("due memberships needs --year");
      return tools::ListMembershipsDue(options, year);
    }
    return Usage("due takes renewals or memberships");
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> positional = absl::ParseCommandLine(argc, argv);
  if (positional.size() < 2) return Usage("no command");
  Args args;
  args.command = positional[1];
  const std::vector<std::string> files(positional.begin() + 2,
                                       positional.end());
  const tools::ClientOptions options = tools::ClientOptionsFromFlags();
  if (!files.empty()) {
    args.sub = files[0];
    args.rest.assign(files.begin() + 1, files.end());
  }
  if (const int code = WithSubcommand(options, args); code >= 0) return code;
  auto need_files = [&]() { return !files.empty(); };

  if (args.command == "evaluate") {
    if (!need_files()) return Usage("evaluate needs files");
    return tools::Evaluate(options, files, absl::GetFlag(FLAGS_category),
                           absl::GetFlag(FLAGS_as_of),
                           absl::GetFlag(FLAGS_save_decision));
  }
  if (args.command == "report") {
    if (files.size() != 1 || absl::GetFlag(FLAGS_html).empty()) {
      return Usage("report needs one portfolio file and --html=OUT.html");
    }
    return tools::Report(options, files[0], absl::GetFlag(FLAGS_category),
                         absl::GetFlag(FLAGS_as_of), absl::GetFlag(FLAGS_html));
  }
  if (args.command == "recommend") {
    if (!need_files()) return Usage("recommend needs files");
    return tools::Recommend(options, files, absl::GetFlag(FLAGS_as_of));
  }
  if (args.command == "renew") {
    if (!need_files()) return Usage("renew needs files");
    return tools::Renew(options, files, absl::GetFlag(FLAGS_as_of),
                        absl::GetFlag(FLAGS_save_decision));
  }
  if (args.command == "rulebook") return tools::ShowRulebook(options);
  if (args.command == "verify") {
    return tools::Verify(
        options, {absl::GetFlag(FLAGS_person), absl::GetFlag(FLAGS_endorsement),
                  absl::GetFlag(FLAGS_category), absl::GetFlag(FLAGS_on),
                  absl::GetFlag(FLAGS_through)});
  }
  if (args.command == "list") {
    const std::vector<std::string> categories = absl::GetFlag(FLAGS_category);
    if (categories.size() > 1) return Usage("list filters on one --category");
    return tools::List(
        options, {categories.empty() ? "" : categories[0],
                  absl::GetFlag(FLAGS_status), absl::GetFlag(FLAGS_name),
                  absl::GetFlag(FLAGS_county), absl::GetFlag(FLAGS_limit)});
  }
  if (args.command == "import-csv") {
    if (files.size() != 1) return Usage("import-csv takes one file");
    return tools::ImportCsv(options, files[0]);
  }
  if (args.command == "export-csv") {
    return tools::ExportCsv(options, absl::GetFlag(FLAGS_out));
  }
  const std::string server = absl::GetFlag(FLAGS_server);
  if (args.command == "health" || args.command == "metrics") {
    if (server != "eligibility" && server != "registry") {
      return Usage("--server must be eligibility or registry");
    }
    return args.command == "health"
               ? tools::Health(options, server)
               : tools::Metrics(options, server,
                                absl::GetFlag(FLAGS_prometheus));
  }
  return Usage(absl::StrCat("unknown command \"", args.command, "\""));
}
