#include "services/registry/public_page.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "common/dates.h"
#include "common/endorsement_status.h"
#include "common/field_checks.h"
#include "common/html_text.h"
#include "common/rate_limiter.h"
#include "common/server_support.h"
#include "services/registry/page_token.h"
#include "services/registry/validation.h"

namespace imh::registry {
namespace {

// Contrast: body text 16:1, links and buttons at least 7:1 on their
// backgrounds (WCAG AAA); focus is a thick outline, never removed.
constexpr char kStyle[] = R"css(
:root { color: #1b1b1b; background: #ffffff; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
body { margin: 0; }
.skip { position: absolute; left: -999px; top: 0; padding: .5rem 1rem; background: #0b3d6b; color: #fff; }
.skip:focus { left: 0; }
header { background: #0b3d6b; color: #fff; padding: 1.25rem 1.5rem; }
header p { margin: .25rem 0 0; }
header .org { font-size: .95rem; letter-spacing: .02em; }
h1 { margin: .25rem 0; font-size: 1.75rem; }
main { max-width: 64rem; margin: 0 auto; padding: 1rem 1.5rem 2rem; }
h2 { font-size: 1.3rem; margin: 1.5rem 0 .5rem; }
form { display: flex; flex-wrap: wrap; gap: .75rem 1rem; align-items: flex-end; }
.field { display: flex; flex-direction: column; }
label { font-weight: 600; margin-bottom: .2rem; }
input, select { font: inherit; padding: .4rem .5rem; border: 2px solid #4a4a4a; border-radius: 4px; min-width: 12rem; background: #fff; color: #1b1b1b; }
input[aria-invalid="true"] { border-color: #a4000f; }
button { font: inherit; font-weight: 600; padding: .45rem 1.1rem; border: 2px solid #0b3d6b; border-radius: 4px; background: #0b3d6b; color: #fff; cursor: pointer; }
a { color: #0b3d6b; }
a:focus, button:focus, input:focus, select:focus { outline: 3px solid #9c4a00; outline-offset: 2px; }
.hint { font-size: .9rem; color: #3d3d3d; margin: .2rem 0 0; }
.error { color: #a4000f; font-weight: 600; }
.answer { border-left: 6px solid; padding: .6rem 1rem; margin: 1rem 0; background: #f4f6f8; }
.answer.valid { border-color: #1d6b2f; }
.answer.invalid { border-color: #a4000f; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: .25rem 0; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid #c4c4c4; }
thead th { border-bottom: 2px solid #1b1b1b; }
nav ul { list-style: none; padding: 0; display: flex; gap: 1.5rem; }
footer { max-width: 64rem; margin: 0 auto; padding: 0 1.5rem 2rem; font-size: .9rem; color: #3d3d3d; }
@media print { header { background: none; color: #000; } form, nav, .skip { display: none; } }
)css";

constexpr size_t kMaxParamBytes = 200;

std::string Param(const httplib::Request& request, const char* key) {
  std::string value = request.get_param_value(key);
  if (value.size() > kMaxParamBytes) value.resize(kMaxParamBytes);
  absl::StripAsciiWhitespace(&value);
  return value;
}

std::string LongDay(absl::CivilDay day) {
  static constexpr const char* kMonths[] = {
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  return absl::StrFormat("%s %d, %d", kMonths[day.month() - 1], day.day(),
                         day.year());
}

std::string Capitalized(std::string word) {
  if (!word.empty()) word[0] = absl::ascii_toupper(word[0]);
  return word;
}

std::string CategoryName(const Rulebook& rulebook, const std::string& code) {
  const rulebook::v1::Category* category = rulebook.FindCategory(code);
  if (category == nullptr) return code;
  return absl::StrCat(category->code(), " — ", category->name());
}

void SetPageHeaders(httplib::Response& response) {
  // Nothing but the page's own inline style; no script runs, no frame holds it.
  response.set_header("Content-Security-Policy",
                      "default-src 'none'; style-src 'unsafe-inline'; "
                      "form-action 'self'; frame-ancestors 'none'; "
                      "base-uri 'none'");
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("Referrer-Policy", "no-referrer");
  response.set_header("Cache-Control", "public, max-age=60");
}

// What the search form shows and the links carry.
struct SearchForm {
  std::string name;
  std::string county;
  std::string category;
  std::string status = "active";
  std::string page_token;
  int page_number = 1;

  std::string Query(const std::string& token, int number) const {
    std::string query = absl::StrCat(
        "name=", UrlQueryEscape(name), "&county=", UrlQueryEscape(county),
        "&category=", UrlQueryEscape(category), "&status=", status);
    if (!token.empty()) {
      absl::StrAppend(&query, "&page=", UrlQueryEscape(token), "&n=", number);
    }
    return query;
  }
};

// The validity box's state.
struct ValidityBox {
  std::string number;
  std::string error;        // the number is malformed
  std::string answer_html;  // the answer, when asked
  bool valid = false;
};

std::string Attribute(const char* name, const std::string& value) {
  return absl::StrCat(" ", name, "=\"", HtmlEscape(value), "\"");
}

std::string ValidityHtml(const ValidityBox& box) {
  std::string html = R"html(<section aria-labelledby="valid-heading">
<h2 id="valid-heading">Is this endorsement valid?</h2>
<form method="get" action="/registry/valid">
<div class="field"><label for="number">Endorsement number</label>)html";
  absl::StrAppend(&html,
                  "<input id=\"number\" name=\"number\" autocomplete=\"off\"",
                  Attribute("value", box.number),
                  box.error.empty()
                      ? " aria-describedby=\"number-hint\""
                      : " aria-invalid=\"true\" aria-describedby=\"number-hint "
                        "number-error\"",
                  ">",
                  "<p class=\"hint\" id=\"number-hint\">As printed on the "
                  "certificate, for example VA-IFS-1004.</p>");
  if (!box.error.empty()) {
    absl::StrAppend(&html, "<p class=\"error\" id=\"number-error\">",
                    HtmlEscape(box.error), "</p>");
  }
  html += "</div><button type=\"submit\">Check</button></form>";
  if (!box.answer_html.empty()) {
    absl::StrAppend(&html, "<div class=\"answer ",
                    box.valid ? "valid" : "invalid", "\" role=\"status\">",
                    box.answer_html, "</div>");
  }
  html += "</section>";
  return html;
}

std::string SearchFormHtml(const SearchForm& form, const Rulebook& rulebook) {
  std::string html = R"html(<section aria-labelledby="search-heading">
<h2 id="search-heading">Search the registry</h2>
<form method="get" action="/registry">)html";
  absl::StrAppend(
      &html,
      "<div class=\"field\"><label for=\"name\">Name</label>"
      "<input id=\"name\" name=\"name\" autocomplete=\"off\"",
      Attribute("value", form.name),
      "></div><div class=\"field\"><label for=\"county\">County or "
      "city</label><input id=\"county\" name=\"county\" "
      "autocomplete=\"off\"",
      Attribute("value", form.county),
      "></div><div class=\"field\"><label for=\"category\">Category</label>"
      "<select id=\"category\" name=\"category\"><option value=\"\">Any "
      "category</option>");
  for (const rulebook::v1::Category& category : rulebook.proto().categories()) {
    absl::StrAppend(&html, "<option", Attribute("value", category.code()),
                    form.category == category.code() ? " selected" : "", ">",
                    HtmlEscape(CategoryName(rulebook, category.code())),
                    "</option>");
  }
  absl::StrAppend(
      &html,
      "</select></div><div class=\"field\"><label for=\"status\">Status"
      "</label><select id=\"status\" name=\"status\"><option "
      "value=\"active\"",
      form.status == "active" ? " selected" : "",
      ">Active</option><option value=\"any\"",
      form.status == "any" ? " selected" : "",
      ">Any status</option></select></div>"
      "<button type=\"submit\">Search</button></form></section>");
  return html;
}

std::string Layout(const std::string& title, const std::string& main_html,
                   const Rulebook& rulebook) {
  return absl::StrCat(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, "
      "initial-scale=1\"><title>",
      HtmlEscape(title),
      " — Virginia Infant Mental Health Endorsement</title><style>", kStyle,
      "</style></head><body><a class=\"skip\" href=\"#main\">Skip to the "
      "search</a><header><p class=\"org\">Virginia Association for Infant "
      "Mental Health</p><h1>Active Registry of Endorsed Professionals</h1>"
      "<p>People who hold the Infant Mental Health Endorsement® for Culturally "
      "Sensitive, Relationship-Focused Practice Promoting Infant Mental "
      "Health.</p></header><main id=\"main\">",
      main_html, "</main><footer><p>Status as of ", LongDay(TodayInVirginia()),
      " (Virginia). An endorsement is valid while it is active: renewed every "
      "three years and with the holder's membership paid. Rules: ",
      HtmlEscape(rulebook.version()), ".</p></footer></body></html>\n");
}

// Admits a page: a token from the client's bucket and a rendering slot.
class Admission {
 public:
  Admission(RateLimiter& limiter, std::atomic<int>& rendering, int limit,
            const httplib::Request& request, httplib::Response& response)
      : rendering_(rendering) {
    absl::Duration retry_after;
    if (!limiter.Allow(request.remote_addr, absl::Now(), &retry_after)) {
      Refuse(response, 429,
             "Too many pages were asked for from your address. Please wait a "
             "moment and try again.",
             retry_after);
      return;
    }
    if (rendering_.fetch_add(1) >= limit) {
      rendering_.fetch_sub(1);
      Refuse(response, 503,
             "The registry is busy. Please try again in a moment.",
             absl::Seconds(1));
      return;
    }
    admitted_ = true;
  }
  ~Admission() {
    if (admitted_) rendering_.fetch_sub(1);
  }
  bool admitted() const { return admitted_; }

 private:
  static void Refuse(httplib::Response& response, int status,
                     const char* message, absl::Duration retry_after) {
    response.status = status;
    response.set_header(
        "Retry-After", absl::StrCat(std::max<int64_t>(
                           1, absl::ToInt64Seconds(
                                  absl::Ceil(retry_after, absl::Seconds(1))))));
    response.set_header("Cache-Control", "no-store");
    response.set_content(
        absl::StrCat("<!doctype html>\n<html lang=\"en\"><head><meta "
                     "charset=\"utf-8\"><title>Please wait — Active Registry"
                     "</title></head><body><main><h1>Please wait</h1><p>",
                     message, "</p></main></body></html>\n"),
        "text/html; charset=utf-8");
  }

  std::atomic<int>& rendering_;
  bool admitted_ = false;
};

class PublicPages {
 public:
  PublicPages(RegistryStore* store, const Rulebook* rulebook,
              PublicPageOptions options)
      : store_(*store),
        rulebook_(*rulebook),
        options_(options),
        limiter_(options.pages_per_second, options.burst) {}

  void Search(const httplib::Request& request, httplib::Response& response) {
    Admission admission(limiter_, rendering_, options_.max_concurrent, request,
                        response);
    if (!admission.admitted()) return;
    SearchForm form;
    form.name = Param(request, "name");
    form.county = Param(request, "county");
    form.category = absl::AsciiStrToUpper(Param(request, "category"));
    if (request.has_param("status")) form.status = Param(request, "status");
    form.page_token = Param(request, "page");
    if (!absl::SimpleAtoi(Param(request, "n"), &form.page_number) ||
        form.page_number < 1 || form.page_token.empty()) {
      form.page_number = 1;
    }
    Render(response, form, ValidityBox{});
  }

  void Valid(const httplib::Request& request, httplib::Response& response) {
    Admission admission(limiter_, rendering_, options_.max_concurrent, request,
                        response);
    if (!admission.admitted()) return;
    ValidityBox box;
    box.number = absl::AsciiStrToUpper(Param(request, "number"));
    if (box.number.empty()) {
      box.error = "Enter an endorsement number.";
    } else if (std::string problem = CheckEndorsementNumber(box.number);
               !problem.empty()) {
      box.error =
          absl::StrCat("That is not an endorsement number: ", problem, ".");
    } else {
      Answer(box);
    }
    if (!box.error.empty()) response.status = 400;
    Render(response, SearchForm{}, box);
  }

 private:
  // Fills the box's answer. Fails closed: what cannot be checked is never
  // called valid.
  void Answer(ValidityBox& box) {
    const absl::CivilDay today = TodayInVirginia();
    absl::StatusOr<v1::Endorsement> endorsement =
        store_.GetEndorsement(box.number);
    if (!endorsement.ok()) {
      box.answer_html =
          endorsement.status().code() == absl::StatusCode::kNotFound
              ? absl::StrCat("<p><strong>No endorsement numbered ",
                             HtmlEscape(box.number),
                             " is on the registry.</strong> Check the number "
                             "on the certificate.</p>")
              : std::string(
                    "<p><strong>The registry cannot check it right "
                    "now.</strong> Please try again later.</p>");
      return;
    }
    VerifyQuestion question;
    question.by_person = false;
    question.subject = box.number;
    question.categories = {endorsement->category()};
    question.on = today;
    const std::vector<v1::CredentialAnswer> answers = store_.Verify({question});
    const StatusOnDay status = EndorsementStatusOn(*endorsement, today);
    const std::string who = absl::StrCat(
        HtmlEscape(endorsement->display_name()), ", ",
        HtmlEscape(CategoryName(rulebook_, endorsement->category())));
    if (answers.size() == 1 &&
        answers[0].status() == v1::CREDENTIAL_STATUS_HELD) {
      box.valid = true;
      box.answer_html = absl::StrCat(
          "<p><strong>", HtmlEscape(box.number), " is valid today.</strong> ",
          who, ": active since ", LongDay(status.since), ".</p>");
    } else if (answers.size() == 1 &&
               answers[0].status() == v1::CREDENTIAL_STATUS_NOT_HELD) {
      box.answer_html = absl::StrCat("<p><strong>", HtmlEscape(box.number),
                                     " is not valid today.</strong> ", who,
                                     ": ", StatusWord(status.status), " since ",
                                     LongDay(status.since), ".</p>");
    } else {
      box.answer_html =
          "<p><strong>The registry cannot check it right now.</strong> Please "
          "try again later.</p>";
    }
  }

  void Render(httplib::Response& response, const SearchForm& form,
              const ValidityBox& box) {
    std::string results;
    const int status = Results(form, results);
    if (response.status == -1 || response.status == 200) {
      response.status = status;
    }
    SetPageHeaders(response);
    response.set_content(
        Layout(box.number.empty() ? "Active Registry"
                                  : absl::StrCat(box.number, ": is it valid?"),
               absl::StrCat(ValidityHtml(box), SearchFormHtml(form, rulebook_),
                            results),
               rulebook_),
        "text/html; charset=utf-8");
  }

  // The results section; returns the HTTP status.
  int Results(const SearchForm& form, std::string& html) {
    v1::ListEndorsementsRequest request;
    request.set_name(form.name);
    request.set_county(form.county);
    request.set_category(form.category);
    request.set_page_token(form.page_token);
    request.set_page_size(options_.page_size);
    FieldViolations violations;
    if (form.status == "active") {
      request.set_status(v1::ENDORSEMENT_STATUS_ACTIVE);
    } else if (form.status != "any") {
      violations.push_back({"status", "must be Active or Any status"});
    }
    int64_t after_id = 0;
    for (FieldViolation& violation :
         ValidateListEndorsements(request, rulebook_, &after_id)) {
      violations.push_back(std::move(violation));
    }
    html = R"html(<section aria-labelledby="results-heading">
<h2 id="results-heading">Endorsed professionals</h2>)html";
    if (!violations.empty()) {
      html +=
          "<div class=\"error\" role=\"alert\"><p>The search could not be "
          "made:</p><ul>";
      for (const FieldViolation& violation : violations) {
        absl::StrAppend(&html, "<li>", HtmlEscape(FieldLabel(violation.field)),
                        ": ", HtmlEscape(violation.description), "</li>");
      }
      html += "</ul></div></section>";
      return 400;
    }
    absl::StatusOr<ListPage> page = store_.ListEndorsements(
        ListFilterOf(request, rulebook_), after_id, options_.page_size);
    if (!page.ok()) {
      html +=
          "<p class=\"error\" role=\"alert\">The registry cannot be searched "
          "right now. Please try again later.</p></section>";
      return 503;
    }
    const absl::CivilDay today = TodayInVirginia();
    std::string rows;
    int shown = 0;
    for (const v1::Endorsement& endorsement : page->endorsements) {
      const StatusOnDay status = EndorsementStatusOn(endorsement, today);
      // Stored as active but lapsed under the rules (a lapse run not yet
      // recorded): never listed as active.
      if (request.status() == v1::ENDORSEMENT_STATUS_ACTIVE &&
          status.status != v1::ENDORSEMENT_STATUS_ACTIVE) {
        continue;
      }
      ++shown;
      absl::StrAppend(
          &rows, "<tr><th scope=\"row\">",
          HtmlEscape(endorsement.display_name()), "</th><td>",
          HtmlEscape(CategoryName(rulebook_, endorsement.category())),
          "</td><td>", HtmlEscape(endorsement.endorsement_number()),
          "</td><td>", Capitalized(StatusWord(status.status)), "</td><td>",
          "<time datetime=\"", FormatDay(status.since), "\">",
          LongDay(status.since), "</time></td></tr>");
    }
    absl::StrAppend(
        &html, "<p role=\"status\">", shown == 0 ? "No" : absl::StrCat(shown),
        shown == 1 ? " professional" : " professionals",
        form.page_number > 1 ? absl::StrCat(" on page ", form.page_number)
                             : std::string(),
        form.status == "active" ? " with an active endorsement" : "",
        " matching the search.</p>");
    if (shown > 0) {
      absl::StrAppend(
          &html, "<table><caption>Endorsed professionals, page ",
          form.page_number,
          "</caption><thead><tr><th scope=\"col\">Name</th><th "
          "scope=\"col\">Category</th><th scope=\"col\">Endorsement "
          "number</th><th scope=\"col\">Status</th><th "
          "scope=\"col\">Since</th></tr></thead><tbody>",
          rows, "</tbody></table>");
    }
    const bool has_next = page->next_after_id.has_value();
    if (has_next || !form.page_token.empty()) {
      html += "<nav aria-label=\"Result pages\"><ul>";
      if (!form.page_token.empty()) {
        absl::StrAppend(&html, "<li><a href=\"/registry?",
                        HtmlEscape(form.Query("", 1)),
                        "\">First page</a></li>");
      }
      if (has_next) {
        const std::string token = EncodePageToken(
            {*page->next_after_id, ListFilterDigest(request, rulebook_)});
        absl::StrAppend(&html, "<li><a rel=\"next\" href=\"/registry?",
                        HtmlEscape(form.Query(token, form.page_number + 1)),
                        "\">Next page</a></li>");
      }
      html += "</ul></nav>";
    }
    html += "</section>";
    return 200;
  }

  static std::string FieldLabel(const std::string& field) {
    if (field == "name") return "Name";
    if (field == "county") return "County or city";
    if (field == "category") return "Category";
    if (field == "status") return "Status";
    if (field == "page_token") return "Page";
    return field;
  }

  RegistryStore& store_;
  const Rulebook& rulebook_;
  const PublicPageOptions options_;
  RateLimiter limiter_;
  std::atomic<int> rendering_{0};
};

}  // namespace

void AddPublicPages(httplib::Server& server, RegistryStore* store,
                    const Rulebook* rulebook, PublicPageOptions options) {
  auto pages = std::make_shared<PublicPages>(store, rulebook, options);
  server.Get("/", [](const httplib::Request&, httplib::Response& response) {
    response.set_redirect("/registry");
  });
  server.Get("/registry", [pages](const httplib::Request& request,
                                  httplib::Response& response) {
    pages->Search(request, response);
  });
  server.Get("/registry/valid", [pages](const httplib::Request& request,
                                        httplib::Response& response) {
    pages->Valid(request, response);
  });
  // Nothing here writes: any other method is refused.
  const auto read_only = [](const httplib::Request&,
                            httplib::Response& response) {
    response.status = 405;
    response.set_header("Allow", "GET, HEAD");
  };
  for (const char* path : {"/", "/registry", "/registry/valid"}) {
    server.Post(path, read_only);
    server.Put(path, read_only);
    server.Patch(path, read_only);
    server.Delete(path, read_only);
  }
}

}  // namespace imh::registry
