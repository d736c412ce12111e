/** The dashboard page: a static shell; `assets/app.js` fills it from the event stream. Links are relative, so it works under any mount path. */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tripswitch dashboard</title>
<link rel="icon" href="assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="assets/app.css">
</head>
<body>
<header>
  <h1><span class="logo" aria-hidden="true"></span>tripswitch</h1>
  <p id="summary" aria-live="polite"></p>
  <div class="header-right">
    <span id="connection" class="connection" data-status="connecting">connecting…</span>
    <button id="token-button" type="button" class="ghost">Set token</button>
  </div>
</header>
<main>
  <p id="empty" class="empty" hidden>No breakers yet. They appear here as soon as they are created in the registry.</p>
  <section id="cards" class="cards" aria-label="Circuit breakers"></section>
</main>
<footer>Live from <code>events</code> (Server-Sent Events). Actions need the dashboard token.</footer>
<script src="assets/app.js" defer></script>
</body>
</html>
`;
