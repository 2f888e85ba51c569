// Debian's Chromium for the page tests, started as this machine needs it
// (root, no sandbox, no GPU, no background traffic to hosts it cannot reach).
import { chromium } from "playwright-core";

export function launchChromium() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

export function check(condition, what) {
  if (!condition) throw new Error(what);
}
