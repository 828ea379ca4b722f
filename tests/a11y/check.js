// Loads each HTML file given on the command line in headless Chromium (no network: every
// request other than the file itself is refused), runs axe-core in the page, and prints one
// JSON line per file: console errors, refused requests, the serious or critical violations,
// the captions and texts of the matrix tables (`table.matrix`) and of the whole page as the browser renders
// them, and how far the page overflows sideways on a phone and on A4 paper.
// Exit status 1 if any file has a console error, a refused request or such a violation.
// Used by tests/real_guides.rs.
"use strict";
const fs = require("fs");
const path = require("path");
const puppeteer = require("puppeteer-core");

const AXE = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
// The test passes the Chromium it found (tests/real_guides.rs), so both launch the same one.
const CHROMIUM = process.env.CHROMIUM;
if (!CHROMIUM) {
  console.error("CHROMIUM is not set: it names the Chromium executable to launch");
  process.exit(2);
}

async function overflowAt(page, width, media) {
  await page.emulateMediaType(media);
  await page.setViewport({ width, height: 800 });
  return page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth
  );
}

async function check(browser, file) {
  const page = await browser.newPage();
  const consoleErrors = [];
  const refused = [];
  page.on("console", (m) => {
    if (m.type() === "error") consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  const url = "file://" + path.resolve(file);
  await page.setRequestInterception(true);
  page.on("request", (r) => {
    if (r.url() === url) {
      r.continue();
    } else {
      refused.push(r.url());
      r.abort();
    }
  });
  await page.goto(url, { waitUntil: "load" });
  // Interception off again so that axe-core, injected as a script, is not affected.
  await page.setRequestInterception(false);
  await page.evaluate(AXE);
  const results = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { resultTypes: ["violations"] })
  );
  const violations = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
  // Moderate and minor findings are reported, not failed on.
  const lesser = results.violations
    .filter((v) => v.impact !== "serious" && v.impact !== "critical")
    .map((v) => v.id + " (" + v.impact + ")");
  // The staff matrices as the browser shows them: each one's caption, and each row's header
  // and cell texts.
  const matrices = await page.evaluate(() =>
    Array.from(document.querySelectorAll("table.matrix")).map((table) => ({
      caption: table.caption ? table.caption.innerText.trim() : "",
      rows: Array.from(table.querySelectorAll("tr")).map((tr) =>
        Array.from(tr.children).map((cell) => cell.innerText.trim())
      ),
    }))
  );
  const text = await page.evaluate(() => document.body.innerText);
  // How far the page sticks out sideways (0: not at all) on a phone, and on the printable
  // width of A4 paper with the guide's 12 mm side margins (Letter is wider).
  const overflow = {
    phone: await overflowAt(page, 360, "screen"),
    a4: await overflowAt(page, 703, "print"),
  };
  await page.close();
  return { file, consoleErrors, refused, violations, lesser, matrices, text, overflow };
}

(async () => {
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // The test passes its flags (tests/common/mod.rs CHROMIUM_FLAGS), one per line;
    // puppeteer adds its own headless flag.
    args: (process.env.CHROMIUM_FLAGS || "").split("\n").filter((f) => f && f !== "--headless"),
  });
  let failed = false;
  try {
    for (const file of process.argv.slice(2)) {
      const result = await check(browser, file);
      console.log(JSON.stringify(result));
      if (result.consoleErrors.length || result.refused.length || result.violations.length) {
        failed = true;
      }
    }
  } finally {
    await browser.close();
  }
  process.exit(failed ? 1 : 0);
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
