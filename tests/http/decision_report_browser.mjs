// Decision reports in Debian's Chromium (playwright-core): the page `imh
// report` wrote and the one the eligibility service's POST /report answered.
// Each: self-contained (no request but the page itself), the IFS timeline
// drawn with what RULES.md says of the test portfolio, printable to PDF,
// and no serious axe-core violation. Screenshots go to the folder given.
//
//   node decision_report_browser.mjs CONFIG.json
// CONFIG: {reports: [{name, path}], screenshots, axePath, expect: {...}}
import { readFileSync } from "node:fs";
import { check, launchChromium } from "./browser.mjs";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const expect = config.expect;

const browser = await launchChromium();
try {
  for (const report of config.reports) {
    const context = await browser.newContext({ viewport: { width: 1200, height: 1000 } });
    const page = await context.newPage();
    const requests = [];
    page.on("request", (request) => requests.push(request.url()));
    await page.goto(`file://${report.path}`);
    check(requests.length === 1, `${report.name}: requests beyond the page: ${requests.slice(1)}`);

    const ifs = page.locator("section#category-IFS, section:has(h2#category-IFS)");
    check(await ifs.count() === 1, `${report.name}: no IFS section`);
    check((await ifs.locator("h2").innerText()).includes(expect.ifsOutcome), `${report.name}: IFS outcome`);
    const svg = ifs.locator("svg.timeline");
    const box = await svg.boundingBox();
    check(box && box.width > 600 && box.height > 100, `${report.name}: timeline not drawn: ${JSON.stringify(box)}`);
    check((await svg.locator("title").first().textContent()).includes("Timeline"), "timeline title");

    const count = async (selector) => ifs.locator(`svg.timeline ${selector}`).count();
    const titles = async (selector) => ifs.locator(`svg.timeline ${selector} > title`).allTextContents();
    for (const [selector, want] of Object.entries(expect.marks)) {
      const got = await count(selector);
      check(got === want, `${report.name}: ${got} ${selector}, not ${want}`);
    }
    const excluded = (await titles(".rsc-excluded")).join(" | ");
    for (const rule of expect.excludedBy) {
      check(excluded.includes(rule), `${report.name}: no session excluded by ${rule}: ${excluded}`);
    }
    const window = ifs.locator("svg.timeline .rsc-window");
    check((await window.getAttribute("width")) > 3, `${report.name}: counted window has no width`);
    check((await window.locator("title").textContent()).includes(expect.windowText),
          `${report.name}: window title ${await window.locator("title").textContent()}`);
    // Every counted session lies inside the shaded window.
    const left = Number(await window.getAttribute("x"));
    const right = left + Number(await window.getAttribute("width"));
    for (const cx of await ifs.locator("svg.timeline .rsc-counted").evaluateAll(
      (nodes) => nodes.map((n) => Number(n.getAttribute("cx"))))) {
      check(cx >= left - 0.5 && cx <= right + 0.5, `${report.name}: a counted session at ${cx} outside [${left}, ${right}]`);
    }
    const notCounted = await ifs.locator("h3:has-text('did not count') + table tbody tr").allInnerTexts();
    check(notCounted.length === expect.notCountedRows, `${report.name}: ${notCounted.length} rows of sessions that did not count`);
    for (const rule of expect.excludedBy) {
      check(notCounted.some((row) => row.includes(rule)), `${report.name}: ${rule} not in the table`);
    }
    check(await page.locator("section:has(h2#category-IFA) svg.timeline .rsc-not-required").count() === expect.sessions,
          `${report.name}: IFA's sessions are not marked as not required`);

    await ifs.scrollIntoViewIfNeeded();
    await ifs.screenshot({ path: `${config.screenshots}/decision_report_${report.name}.png` });
    const pdf = await page.pdf({ format: "Letter", printBackground: true });
    check(pdf.length > 20000, `${report.name}: PDF of ${pdf.length} bytes`);

    await page.addScriptTag({ path: config.axePath });
    const result = await page.evaluate(async () =>
      await globalThis.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] }));
    const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    check(serious.length === 0, `${report.name}: axe: ${JSON.stringify(serious.map((v) => [v.id, v.nodes.length, v.nodes[0]?.html]))}`);
    console.log(`ok: ${report.name}: timeline drawn as the rules say, self-contained, printable (${pdf.length} bytes of PDF), axe: ${result.violations.length} minor`);
    await context.close();
  }
  console.log("PASS");
} finally {
  await browser.close();
}
