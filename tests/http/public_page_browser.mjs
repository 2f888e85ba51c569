// The public Active Registry page in Debian's Chromium, driven by
// playwright-core: a search typed and submitted from the keyboard, paging, the
// validity box, all with JavaScript off (the page must not need it); then an
// accessibility check with axe-core (no serious or critical violations).
// Screenshots go to the folder given.
//
//   node public_page_browser.mjs CONFIG.json
// CONFIG: {baseUrl, screenshots, axePath, county, expectedInCounty, pageSize,
//          validNumber, validHolder, lapsedNumber, unknownNumber}
import { readFileSync } from "node:fs";
import { check, launchChromium } from "./browser.mjs";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));

const browser = await launchChromium();
try {
  // --- without JavaScript ---
  const plain = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1200, height: 900 } });
  const page = await plain.newPage();
  let response = await page.goto(`${config.baseUrl}/registry`);
  check(response.status() === 200, `GET /registry: ${response.status()}`);
  check((await page.title()).includes("Active Registry"), "title");
  check((await page.locator("h1").innerText()).includes("Active Registry of Endorsed Professionals"), "h1");

  // The keyboard: the first Tab reaches the skip link, the next the number box.
  await page.keyboard.press("Tab");
  check((await page.evaluate(() => document.activeElement?.textContent)) === "Skip to the search", "first Tab stop");
  await page.keyboard.press("Tab");
  check((await page.evaluate(() => document.activeElement?.id)) === "number", "second Tab stop");

  // A search: county typed in its labelled box, submitted with Enter.
  await page.getByLabel("County or city").fill(config.county);
  await Promise.all([page.waitForURL(/\/registry\?/), page.getByLabel("County or city").press("Enter")]);
  const rowsOn = async () => page.locator("tbody tr").count();
  const expected = config.expectedInCounty;
  const pages = [];
  for (let left = expected; left > 0; left -= config.pageSize) pages.push(Math.min(left, config.pageSize));
  check(await rowsOn() === pages[0], `page 1 has ${await rowsOn()} rows, not ${pages[0]}`);
  const firstPageText = await page.locator("tbody").innerText();
  for (const cell of await page.locator("tbody tr td:nth-child(4)").allInnerTexts()) {
    check(cell === "Active", `an active search shows ${cell}`);
  }
  await page.screenshot({ path: `${config.screenshots}/public_registry.png`, fullPage: true });

  // Paging: Next page to the end, each page as many rows as expected, no
  // row twice, then back to the first page.
  const seen = new Set((await page.locator("tbody th").allInnerTexts()));
  for (let n = 1; n < pages.length; ++n) {
    await Promise.all([page.waitForURL(/page=/), page.getByRole("link", { name: "Next page" }).click()]);
    check(await rowsOn() === pages[n], `page ${n + 1} has ${await rowsOn()} rows, not ${pages[n]}`);
    check((await page.locator("caption").innerText()).endsWith(`page ${n + 1}`), "caption page number");
    for (const name of await page.locator("tbody th").allInnerTexts()) {
      check(!seen.has(name), `${name} on two pages`);
      seen.add(name);
    }
  }
  check(seen.size === expected, `${seen.size} people over every page, not ${expected}`);
  check(await page.getByRole("link", { name: "Next page" }).count() === 0, "a Next page after the last");
  await page.getByRole("link", { name: "First page" }).click();
  check((await page.locator("tbody").innerText()) === firstPageText, "First page differs from page 1");

  // The validity box.
  await page.getByLabel("Endorsement number").fill(config.validNumber.toLowerCase());
  await Promise.all([page.waitForURL(/\/registry\/valid\?/), page.getByRole("button", { name: "Check" }).click()]);
  let answer = await page.getByRole("status").first().innerText();
  check(answer.includes(`${config.validNumber} is valid today.`) && answer.includes(config.validHolder),
        `valid answer: ${answer}`);
  await page.screenshot({ path: `${config.screenshots}/public_registry_valid.png` });
  await page.getByLabel("Endorsement number").fill(config.lapsedNumber);
  await Promise.all([page.waitForNavigation(), page.getByLabel("Endorsement number").press("Enter")]);
  answer = await page.locator(".answer").innerText();
  check(answer.includes(`${config.lapsedNumber} is not valid today.`) && answer.includes("lapsed since"),
        `lapsed answer: ${answer}`);
  await page.getByLabel("Endorsement number").fill(config.unknownNumber);
  await Promise.all([page.waitForNavigation(), page.getByLabel("Endorsement number").press("Enter")]);
  answer = await page.locator(".answer").innerText();
  check(answer.includes(`No endorsement numbered ${config.unknownNumber}`), `unknown answer: ${answer}`);
  response = await page.goto(`${config.baseUrl}/registry/valid?number=not%20a%20number`);
  check(response.status() === 400, `a malformed number: ${response.status()}`);
  check(await page.locator("#number[aria-invalid=true]").count() === 1, "malformed number not marked invalid");
  console.log("ok: search, paging, validity box, keyboard, all without JavaScript");
  await plain.close();

  // --- axe-core, on each page state ---
  const checked = await browser.newContext({ bypassCSP: true, viewport: { width: 1200, height: 900 } });
  const audit = await checked.newPage();
  for (const path of [`/registry`, `/registry?county=${encodeURIComponent(config.county)}&status=any`,
                      `/registry/valid?number=${config.validNumber}`, `/registry/valid?number=not%20a%20number`]) {
    await audit.goto(`${config.baseUrl}${path}`);
    await audit.addScriptTag({ path: config.axePath });
    const result = await audit.evaluate(async () =>
      await globalThis.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] }));
    const serious = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    check(serious.length === 0, `axe on ${path}: ${JSON.stringify(serious.map((v) => [v.id, v.impact, v.nodes.length]))}`);
    check(result.passes.some((p) => p.id === "color-contrast"), `axe did not check contrast on ${path}`);
    console.log(`ok: axe-core on ${path}: ${result.violations.length} minor violation(s), none serious`);
  }
  await checked.close();
  console.log("PASS");
} finally {
  await browser.close();
}
