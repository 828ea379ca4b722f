// Starts a headless browser through puppeteer-core: `firefox` (over WebDriver BiDi) or
// `chrome` (Chromium, with the flags the test passes in CHROMIUM_FLAGS, one per line), given
// first, then its executable and a profile directory, and loads http://HOST:PORT/ for each
// HOST given after them, each in a fresh tab. Every name resolves to 127.0.0.1 (Firefox's pref
// network.dns.forceResolve, Chromium's --host-resolver-rules), where this script serves a page
// saying "served HOST": a load is never sent to the network, and a name the browser lets
// through really loads. Prints one JSON line per name: {"host", "outcome", "body"}, where
// outcome is "loaded" (body: the page's text) or why the load failed instead: the reason of
// Firefox's error page ("blockedByPolicy" for a name its enterprise policies block), Chromium's
// network error ("ERR_BLOCKED_BY_ADMINISTRATOR" for a name its managed policies block). Exit
// status 1 if the browser cannot be driven.
// Firefox reads the policies from the `distribution` folder beside the binary: the caller
// gives a binary whose folder holds the policies under test. Chromium reads them from
// /etc/chromium/policies/managed, where the caller puts them. Used by tests/real_browser.rs
// and tests/differential.rs.
"use strict";
const http = require("http");
const puppeteer = require("puppeteer-core");

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// `promise`, or null if it has not settled within `ms`.
function within(promise, ms) {
  return Promise.race([promise, sleep(ms).then(() => null)]);
}

// Load `url` in `page` and tell how it ended from the document the tab shows: "loaded" (the
// page itself, fully loaded) with its text, or the error page's reason (`e=` of
// about:neterror, e.g. "blockedByPolicy"). Navigation events alone are not relied on: the
// first navigation after start-up sometimes fails without WebDriver BiDi reporting it.
async function load(page, url) {
  let failed = null;
  const navigation = page.goto(url, { waitUntil: "load", timeout: 30000 }).catch((e) => {
    failed = e;
    return e;
  });
  const deadline = Date.now() + 30000;
  let last = null;
  while (Date.now() < deadline) {
    // Chromium shows its error page at chrome-error://, and says why in the failed navigation.
    const error = failed && /net::(ERR_[A-Z_]+)/.exec(String(failed.message));
    if (error) {
      return { outcome: error[1], body: "" };
    }
    const state = await within(
      page
        .evaluate(() => [
          document.documentURI,
          document.readyState,
          document.body ? document.body.innerText : "",
        ])
        .catch(() => null),
      2000
    );
    if (state) {
      last = state;
      const [uri, ready, body] = state;
      if (uri.startsWith("about:neterror?")) {
        return { outcome: new URLSearchParams(uri.split("?")[1]).get("e"), body: "" };
      }
      if (uri === url && ready === "complete") {
        return { outcome: "loaded", body: body.trim() };
      }
    }
    await sleep(100);
  }
  const error = await within(navigation, 1000);
  return { outcome: `undecided: ${JSON.stringify(last)} ${error}`, body: "" };
}

async function main() {
  const [kind, executable, profile, ...hosts] = process.argv.slice(2);
  const server = http.createServer((req, res) => {
    res.setHeader("Content-Type", "text/html; charset=utf-8");
    res.end(`<!doctype html><title>ok</title><p>served ${req.headers.host.split(":")[0]}</p>`);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = server.address().port;
  const chromiumFlags = (process.env.CHROMIUM_FLAGS || "").split("\n");
  const browser = await puppeteer.launch({
    browser: kind,
    executablePath: executable,
    headless: true,
    userDataDir: profile,
    timeout: 60000,
    extraPrefsFirefox: {
      "network.dns.forceResolve": "127.0.0.1",
      "network.proxy.type": 0,
    },
    // puppeteer adds its own headless flag.
    args:
      kind === "chrome"
        ? chromiumFlags
            .filter((f) => f && f !== "--headless")
            .concat(["--host-resolver-rules=MAP * 127.0.0.1"])
        : [],
  });
  try {
    for (const host of hosts) {
      const page = await browser.newPage();
      const result = await load(page, `http://${host}:${port}/`);
      console.log(JSON.stringify({ host, ...result }));
      await page.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
