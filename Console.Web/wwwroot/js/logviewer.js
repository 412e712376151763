// Live log viewer of a job run.
//
// Lines arrive over the SignalR hub stream "Stream"; ranges the server no longer holds in
// its live buffer (gaps) are fetched over REST and merged in order. Lines are kept in a
// bounded in-memory store with an incrementally maintained filtered index, and only the
// visible rows of the filtered index exist in the DOM (rendered at most once per frame).
//
// Public API: mount(element, options) -> { dispose(), state() }; also set as element.logViewer.

const SIGNALR_SCRIPT = "/lib/signalr/signalr.min.js";
// The hub speaks MessagePack to this viewer: smaller than JSON, and a line's text travels without escaping.
const MSGPACK_SCRIPT = "/lib/signalr/signalr-protocol-msgpack.min.js";
const HUB_URL = "/hubs/logs";
const RECONNECT_DELAYS_MS = [0, 1000, 2000, 5000, 10000, 10000, 10000];
const PAGE_SIZE = 5000;
const SEARCH_DEBOUNCE_MS = 150;
const OVERSCAN_ROWS = 10;
const TRIM_FRACTION = 0.1;
const SCROLL_TOLERANCE_PX = 2;
// Layout cost grows with a row's text even past the ellipsis; 600 monospace characters are
// wider than any screen, and the full line stays available in the row's title.
const MAX_DISPLAY_CHARS = 600;

const LEVEL_RANK = new Map([["debug", 1], ["info", 2], ["warn", 3], ["error", 4]]);
const LEVEL_FILTERS = [
  { label: "All levels", minRank: 0 },
  { label: "error", minRank: 4 },
  { label: "warn+", minRank: 3 },
  { label: "info+", minRank: 2 },
  { label: "debug+", minRank: 1 },
];
const ALL_SOURCES = "all";
const SOURCE_PREFIX = "source:";
const SCROLL_UP_KEYS = new Set(["ArrowUp", "PageUp", "Home"]);
const STREAM_END = Symbol("stream end");
const TIME_PATTERN = /T(\d{2}:\d{2}:\d{2})(?:[.,](\d+))?/;

const numberFormat = new Intl.NumberFormat("en-US");
const sourceCollator = new Intl.Collator("en", { numeric: true });

/**
 * Builds the viewer inside `element` (left empty by the caller) and starts streaming.
 * options: { runId: string, follow?: boolean = true, maxLines?: number = 200000, rowHeight?: number = 20 }
 */
export function mount(element, options) {
  const viewer = new LogViewer(element, normalizeOptions(options ?? {}));
  const handle = {
    dispose() {
      viewer.dispose();
      if (element.logViewer === handle) delete element.logViewer;
    },
    state: () => viewer.state(),
  };
  element.logViewer = handle;
  viewer.start();
  return handle;
}

function normalizeOptions(options) {
  const { runId } = options;
  if (typeof runId !== "string" || runId === "") {
    throw new TypeError("logviewer: options.runId must be a non-empty string");
  }
  // `??` rather than parameter defaults: Blazor serializes unset nullable options as null.
  return {
    runId,
    follow: options.follow ?? true,
    maxLines: positiveInteger(options.maxLines ?? 200000, "maxLines"),
    rowHeight: positiveInteger(options.rowHeight ?? 20, "rowHeight"),
  };
}

function positiveInteger(value, name) {
  if (!Number.isInteger(value) || value < 1) {
    throw new TypeError(`logviewer: options.${name} must be a positive integer`);
  }
  return value;
}

// ---------------------------------------------------------------------------------------
// Line store: lines in memory (ascending seq) plus the filtered index shown in the viewport.

class LineStore {
  constructor(maxLines) {
    this.maxLines = maxLines;
    this.lines = [];
    this.filtered = [];
    this.lastSeq = 0;
    this.truncated = false;
    this.sources = new Set();
    this.matches = null;
  }

  /**
   * Appends lines in ascending seq order, ignoring any seq already seen, and trims the
   * oldest lines when over maxLines. Returns the sources seen for the first time and how
   * many entries were removed from the front of the filtered index.
   */
  append(lines) {
    const newSources = [];
    for (const line of lines) {
      if (line.seq <= this.lastSeq) continue;
      this.lastSeq = line.seq;
      this.lines.push(line);
      if (!this.sources.has(line.source)) {
        this.sources.add(line.source);
        newSources.push(line.source);
      }
      if (this.matches === null || this.matches(line)) this.filtered.push(line);
    }
    const droppedFiltered = this.lines.length > this.maxLines ? this.trim() : 0;
    return { newSources, droppedFiltered };
  }

  /** Forgets every line held and continues after `seq` (lines up to it will never be shown). */
  discardThrough(seq) {
    const droppedFiltered = this.filtered.length;
    this.truncated = true;
    this.lines = [];
    this.filtered = [];
    this.lastSeq = Math.max(this.lastSeq, seq);
    return { newSources: [], droppedFiltered };
  }

  /** filter: { source: string|null, minRank: number, query: string }; rebuilds the index. */
  setFilter(filter) {
    this.matches = createMatcher(filter);
    this.filtered = this.matches === null ? this.lines.slice() : this.lines.filter(this.matches);
  }

  /** Position in the filtered index of the first line with seq >= `seq`. */
  indexOfSeq(seq) {
    let low = 0;
    let high = this.filtered.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.filtered[middle].seq < seq) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  // Drops at least a TRIM_FRACTION chunk so trimming is amortized rather than per line.
  trim() {
    const count = Math.min(
      this.lines.length,
      Math.max(this.lines.length - this.maxLines, Math.ceil(this.maxLines * TRIM_FRACTION)));
    this.lines.splice(0, count);
    this.truncated = true;
    const droppedFiltered = this.indexOfSeq(this.lines.length > 0 ? this.lines[0].seq : Infinity);
    this.filtered.splice(0, droppedFiltered);
    return droppedFiltered;
  }
}

function createMatcher({ source, minRank, query }) {
  if (source === null && minRank === 0 && query === "") return null;
  const pattern = query === "" ? null : searchPattern(query, "i");
  return (line) =>
    (source === null || line.source === source) &&
    (LEVEL_RANK.get(line.level) ?? 0) >= minRank &&
    (pattern === null || pattern.test(line.text));
}

function searchPattern(query, flags) {
  return new RegExp(query.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), flags);
}

// ---------------------------------------------------------------------------------------
// Ingest queue: applies stream batches strictly in order. A batch with a gap blocks the
// queue until the gap has been fetched over REST, so later lines are never applied before it.

class IngestQueue {
  /**
   * sink: {
   *   fetchPage(after, limit, signal) -> Promise<{ lines }>,
   *   lastSeq() -> number, append(lines), discardThrough(seq),
   *   onDone(), onEnd(), onError(error)
   * }
   * keepLines: gaps longer than this are fetched only for their newest keepLines lines,
   * since anything older would be trimmed from memory straight away.
   */
  constructor(sink, keepLines) {
    this.sink = sink;
    this.keepLines = keepLines;
    this.items = [];
    this.busy = false;
    this.generation = 0;
    this.controller = new AbortController();
  }

  push(batch) {
    this.items.push(batch);
    this.pump();
  }

  /** The stream completed; sink.onEnd runs once everything queued before it is applied. */
  end() {
    this.push(STREAM_END);
  }

  /** Drops queued batches and abandons any gap fetch in flight. */
  reset() {
    this.generation++;
    this.items = [];
    this.busy = false;
    this.controller.abort();
    this.controller = new AbortController();
  }

  async pump() {
    if (this.busy) return;
    this.busy = true;
    const generation = this.generation;
    const { signal } = this.controller;
    try {
      while (generation === this.generation && this.items.length > 0) {
        await this.process(this.items.shift(), signal);
      }
      if (generation === this.generation) this.busy = false;
    } catch (error) {
      if (generation !== this.generation) return; // abandoned by reset(); nothing to report
      this.reset(); // applying anything queued behind a failed gap would leave a hole
      this.sink.onError(error);
    }
  }

  async process(item, signal) {
    if (item === STREAM_END) {
      this.sink.onEnd();
      return;
    }
    if (item.gapFrom != null && item.gapTo != null) {
      await this.fillGap(item.gapFrom, item.gapTo, signal);
    }
    if (item.lines?.length > 0) this.sink.append(item.lines);
    if (item.error) this.sink.onError(new Error(item.error));
    else if (item.done) this.sink.onDone();
  }

  async fillGap(from, to, signal) {
    let after = Math.max(from - 1, this.sink.lastSeq());
    if (to - after > this.keepLines) {
      after = to - this.keepLines;
      this.sink.discardThrough(after);
    }
    while (after < to) {
      const page = await this.sink.fetchPage(after, Math.min(PAGE_SIZE, to - after), signal);
      signal.throwIfAborted();
      const lines = page.lines.filter((line) => line.seq > after && line.seq <= to);
      if (lines.length === 0) return; // nothing more in this range; don't spin
      this.sink.append(lines);
      after = lines[lines.length - 1].seq;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Server access

let signalRLoading = null;

function loadScript(src, loaded, what) {
  if (loaded()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.addEventListener("load", () => {
      if (loaded()) resolve();
      else reject(new Error(`the ${what} script did not define what it should`));
    });
    script.addEventListener("error", () => {
      script.remove();
      reject(new Error(`the ${what} script could not be loaded`));
    });
    document.head.append(script);
  });
}

// The client, then its MessagePack protocol (which extends window.signalR).
function loadSignalR() {
  if (window.signalR?.protocols?.msgpack) return Promise.resolve(window.signalR);
  signalRLoading ??= loadScript(SIGNALR_SCRIPT, () => Boolean(window.signalR), "SignalR client")
    .then(() => loadScript(MSGPACK_SCRIPT, () => Boolean(window.signalR.protocols?.msgpack), "SignalR MessagePack protocol"))
    .then(() => window.signalR)
    .catch((error) => {
      signalRLoading = null; // allow a later Reconnect to try again
      throw error;
    });
  return signalRLoading;
}

function runApiBase(runId) {
  return `/api/runs/${encodeURIComponent(runId)}`;
}

async function fetchLogPage(runId, after, limit, signal) {
  const response = await fetch(`${runApiBase(runId)}/logs?after=${after}&limit=${limit}`, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
    signal,
  });
  if (!response.ok) throw new Error(`the server answered HTTP ${response.status}`);
  if (!response.headers.get("Content-Type")?.includes("json")) {
    throw new Error("the server did not answer with JSON (has the session expired?)");
  }
  return response.json();
}

// ---------------------------------------------------------------------------------------
// DOM helpers. Line content only ever reaches the DOM as text nodes or attribute values.

function h(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function formatCount(count, noun) {
  return `${numberFormat.format(count)} ${noun}${count === 1 ? "" : "s"}`;
}

// ts is ISO 8601 UTC, so the clock part is shown as written (UTC), truncated to milliseconds.
function formatTime(ts) {
  const match = TIME_PATTERN.exec(ts ?? "");
  return match ? `${match[1]}.${(match[2] ?? "").slice(0, 3).padEnd(3, "0")}` : "";
}

function createRow(line, highlight) {
  const message = (line.msg || line.text).slice(0, MAX_DISPLAY_CHARS);
  return h("div",
    {
      class: `lv-row lv-level-${line.level || "none"}`,
      "data-seq": String(line.seq),
      title: line.text,
    },
    h("span", { class: "lv-ts" }, formatTime(line.ts)),
    h("span", { class: "lv-lvl" }, line.level),
    h("span", { class: "lv-src" }, line.source),
    h("span", { class: "lv-msg" }, ...highlightedParts(message, highlight)));
}

function highlightedParts(text, pattern) {
  if (pattern === null) return [text];
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push(h("mark", {}, match[0]));
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

function compareSources(a, b) {
  if (a === "" || b === "") return Number(a === "") - Number(b === ""); // plain text sorts last
  return sourceCollator.compare(a, b);
}

// ---------------------------------------------------------------------------------------
// The viewer

class LogViewer {
  constructor(element, options) {
    this.element = element;
    this.runId = options.runId;
    this.rowHeight = options.rowHeight;
    this.following = options.follow;
    this.pausedAtSeq = 0;
    this.finished = false;
    this.disposed = false;

    this.store = new LineStore(options.maxLines);
    this.queue = new IngestQueue({
      fetchPage: (after, limit, signal) => fetchLogPage(this.runId, after, limit, signal),
      lastSeq: () => this.store.lastSeq,
      append: (lines) => this.onStoreChanged(this.store.append(lines)),
      discardThrough: (seq) => this.onStoreChanged(this.store.discardThrough(seq)),
      onDone: () => this.onRunFinished(),
      onEnd: () => this.onStreamEnded(),
      onError: (error) => this.fail(`Could not load log lines: ${error.message}`),
    }, options.maxLines);

    this.connection = null;
    this.connectionState = "connecting";
    this.closingDeliberately = false;
    this.subscription = null;
    this.streamToken = null;

    this.rows = new Map(); // seq -> row element currently in the DOM
    this.highlight = null;
    this.spacerHeight = -1;
    this.frame = 0;
    this.searchTimer = 0;
    this.trimShift = 0; // px removed above the view since the last render
    this.anchorSeq = null; // line to keep at the top after a filter change
    this.knownScrollTop = 0; // last scroll position the viewer set or has seen

    this.listeners = new AbortController();
    this.buildUi();
    this.resizeObserver = new ResizeObserver(() => this.scheduleRender());
    this.resizeObserver.observe(this.viewport);
  }

  start() {
    this.updatePausedNotice(); // mounted with follow: false
    this.scheduleRender();
    this.connect();
  }

  state() {
    return {
      connection: this.connectionState,
      lines: this.store.lines.length,
      lastSeq: this.store.lastSeq,
      following: this.following,
      rendered: this.rows.size,
    };
  }

  dispose() {
    if (this.disposed) return;
    this.disposed = true;
    this.queue.reset();
    this.closeStream();
    this.closingDeliberately = true;
    this.connection?.stop();
    cancelAnimationFrame(this.frame);
    clearTimeout(this.searchTimer);
    this.listeners.abort();
    this.resizeObserver.disconnect();
    this.element.replaceChildren();
  }

  // --- UI construction -----------------------------------------------------------------

  buildUi() {
    const downloadUrl = `${runApiBase(this.runId)}/logs/download`;

    this.connectionBadge = h("span",
      { class: "lv-conn", "data-state": this.connectionState, "aria-live": "polite" },
      this.connectionState);
    this.reconnectButton = h("button", { type: "button", class: "lv-reconnect", hidden: "" }, "Reconnect");
    this.sourceSelect = h("select", { class: "lv-source", "aria-label": "Filter by source" },
      h("option", { value: ALL_SOURCES }, "All sources"));
    this.levelSelect = h("select", { class: "lv-level", "aria-label": "Filter by level" },
      ...LEVEL_FILTERS.map(({ label, minRank }) => h("option", { value: String(minRank) }, label)));
    this.searchInput = h("input",
      { type: "search", class: "lv-search", placeholder: "Search", "aria-label": "Search log lines" });
    this.countLabel = h("span", { class: "lv-count" }, formatCount(0, "line"));

    const toolbar = h("div", { class: "lv-toolbar" },
      this.connectionBadge, this.reconnectButton, this.sourceSelect, this.levelSelect,
      this.searchInput, this.countLabel,
      h("span", { class: "lv-downloads" }, "Download: ",
        h("a", { class: "lv-download", href: `${downloadUrl}?format=text`, download: "" }, "text"), " · ",
        h("a", { class: "lv-download-jsonl", href: downloadUrl, download: "" }, "JSON Lines (.gz)")));

    this.status = h("div", { class: "lv-status", role: "status", hidden: "" });
    this.trimmedNote = h("div", { class: "lv-trimmed", hidden: "" },
      "Older lines are not kept in the browser; ",
      h("a", { href: downloadUrl, download: "" }, "download the full log"));

    this.spacer = h("div", { class: "lv-spacer" });
    // role=log implies a polite live region; announcing thousands of lines per second
    // would make screen readers unusable, so announcements are turned off.
    this.viewport = h("div",
      { class: "lv-viewport", role: "log", "aria-live": "off", "aria-label": "Log output", tabindex: "0" },
      this.spacer);

    // A row's whole line, wrapped, with every field the job logged: the list keeps one line a row
    // (fixed-height rows are what keeps thousands of lines a second cheap to show).
    this.detailsTitle = h("span", { class: "lv-details-title" });
    this.detailsClose = h("button", { type: "button", class: "lv-details-close", "aria-label": "Close the line's details" }, "Close");
    this.detailsText = h("pre", { class: "lv-details-text" });
    this.detailsFields = h("dl", { class: "lv-details-fields" });
    this.details = h("section", { class: "lv-details", hidden: "", "aria-label": "Line details" },
      h("div", { class: "lv-details-head" }, this.detailsTitle, this.detailsClose), this.detailsText, this.detailsFields);

    this.pausedText = h("span", {});
    this.jumpButton = h("button", { type: "button", class: "lv-jump" }, "Jump to latest");
    this.pausedNotice = h("div", { class: "lv-paused", hidden: "" }, this.pausedText, this.jumpButton);

    this.root = h("div", { class: "lv-root" },
      toolbar, this.status,
      h("div", { class: "lv-body" }, this.trimmedNote, this.viewport, this.pausedNotice), this.details);
    this.root.style.setProperty("--lv-row-height", `${this.rowHeight}px`);
    this.element.replaceChildren(this.root);
    this.bindEvents();
  }

  bindEvents() {
    const on = (target, type, handler, options) =>
      target.addEventListener(type, handler, { ...options, signal: this.listeners.signal });

    on(this.viewport, "scroll", () => this.onScroll(), { passive: true });
    // Pause on the intent to scroll up, before the browser's (possibly smooth) scroll
    // lands: otherwise the next frame's tail-follow would override it.
    on(this.viewport, "wheel", (event) => { if (event.deltaY < 0) this.pauseByUser(); }, { passive: true });
    on(this.viewport, "keydown", (event) => { if (SCROLL_UP_KEYS.has(event.key)) this.pauseByUser(); });
    // A press on the viewport itself (not on a row) is a press on its scrollbar.
    on(this.viewport, "pointerdown", (event) => { if (event.target === this.viewport) this.pauseByUser(); });
    on(this.jumpButton, "click", () => this.jumpToLatest());
    on(this.viewport, "click", (event) => this.showDetails(event.target.closest?.(".lv-row")));
    on(this.viewport, "keydown", (event) => {
      if (event.key === "Enter") this.showDetails(event.target.closest?.(".lv-row") ?? this.viewport.querySelector(".lv-row.lv-selected"));
    });
    on(this.detailsClose, "click", () => this.hideDetails());
    on(this.reconnectButton, "click", () => this.connect());
    on(this.sourceSelect, "change", () => this.applyFilter());
    on(this.levelSelect, "change", () => this.applyFilter());
    on(this.searchInput, "input", () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => this.applyFilter(), SEARCH_DEBOUNCE_MS);
    });
  }

  showDetails(row) {
    if (!row) return;
    const seq = Number(row.dataset.seq);
    const line = this.store.lines.find((candidate) => candidate.seq === seq);
    if (!line) return;
    this.viewport.querySelector(".lv-row.lv-selected")?.classList.remove("lv-selected");
    row.classList.add("lv-selected");
    setText(this.detailsTitle, `Line ${numberFormat.format(line.seq)} · ${line.ts ?? ""} · ${line.level ?? ""} · ${line.source ?? ""}`);
    setText(this.detailsText, line.msg || line.text);
    const fields = [];
    try {
      const parsed = JSON.parse(line.text);
      if (parsed && typeof parsed === "object") {
        for (const [key, value] of Object.entries(parsed)) {
          if (key === "msg") continue;
          fields.push(h("dt", {}, key), h("dd", {}, typeof value === "string" ? value : JSON.stringify(value)));
        }
      }
    } catch {
      // A plain-text line: its text is all there is.
    }
    this.detailsFields.replaceChildren(...fields);
    this.details.hidden = false;
  }

  hideDetails() {
    this.details.hidden = true;
    this.viewport.querySelector(".lv-row.lv-selected")?.classList.remove("lv-selected");
    this.viewport.focus();
  }

  addSourceOption(source) {
    const option = h("option", { value: SOURCE_PREFIX + source }, source || "plain text");
    const nextOption = [...this.sourceSelect.options].find((candidate) =>
      candidate.value !== ALL_SOURCES &&
      compareSources(source, candidate.value.slice(SOURCE_PREFIX.length)) < 0);
    this.sourceSelect.insertBefore(option, nextOption ?? null);
  }

  // --- Connection and stream -------------------------------------------------------------

  async connect() {
    this.closingDeliberately = false;
    this.setStatus("");
    this.setConnectionState("connecting");
    try {
      const signalR = await loadSignalR();
      if (this.disposed) return;
      this.connection ??= this.createConnection(signalR);
      await this.connection.start();
    } catch (error) {
      if (this.disposed) return;
      this.setConnectionState("disconnected");
      this.setStatus(`Could not connect: ${error.message}`, "error");
      return;
    }
    if (this.disposed) return;
    this.setConnectionState("connected");
    this.openStream();
  }

  createConnection(signalR) {
    this.protocol = new signalR.protocols.msgpack.MessagePackHubProtocol();
    this.connectionBadge.dataset.protocol = this.protocol.name;
    const connection = new signalR.HubConnectionBuilder()
      .withUrl(HUB_URL)
      .withHubProtocol(this.protocol)
      .withAutomaticReconnect(RECONNECT_DELAYS_MS)
      .configureLogging(signalR.LogLevel.Warning)
      .build();
    connection.onreconnecting(() => {
      if (!this.disposed) this.setConnectionState("reconnecting");
    });
    connection.onreconnected(() => {
      if (this.disposed) return;
      this.setConnectionState("connected");
      this.openStream();
    });
    connection.onclose((error) => this.onConnectionClosed(error));
    return connection;
  }

  // (Re)starts the stream after the last line the viewer holds, so nothing is lost or repeated.
  openStream() {
    this.queue.reset();
    const token = {};
    this.streamToken = token;
    const current = () => this.streamToken === token && !this.disposed;
    this.subscription = this.connection.stream("Stream", this.runId, this.store.lastSeq).subscribe({
      next: (batch) => {
        if (current()) this.queue.push(batch);
      },
      error: (error) => {
        if (!current()) return;
        this.subscription = null;
        this.onStreamError(error);
      },
      complete: () => {
        if (!current()) return;
        this.subscription = null;
        this.queue.end();
      },
    });
  }

  closeStream() {
    this.streamToken = null;
    this.subscription?.dispose();
    this.subscription = null;
  }

  onStreamError(error) {
    // A dropped connection also errors the stream, synchronously and just before SignalR
    // switches to Reconnecting/Disconnected. Checking the state once that call has returned
    // separates it (handled by the reconnect callbacks) from an error raised by the hub.
    queueMicrotask(() => {
      if (!this.disposed && this.connection.state === window.signalR.HubConnectionState.Connected) {
        this.fail(error.message);
      }
    });
  }

  onStreamEnded() {
    if (this.finished) {
      this.closeStream();
      this.stopConnection();
    } else {
      this.fail("The server ended the log stream before the run finished");
    }
  }

  onConnectionClosed(error) {
    if (this.disposed) return;
    this.setConnectionState("disconnected");
    if (this.closingDeliberately) return;
    this.queue.reset();
    this.closeStream();
    this.setStatus(error ? `Connection lost: ${error.message}` : "Connection lost", "error");
  }

  // Stops streaming, reports `message`, and leaves a Reconnect button that resumes from lastSeq.
  fail(message) {
    this.queue.reset();
    this.closeStream();
    this.setStatus(message, "error");
    this.stopConnection();
  }

  async stopConnection() {
    this.closingDeliberately = true;
    await this.connection?.stop();
    // onclose normally reports this, but it does not fire if the connection was already down.
    // A Reconnect clicked meanwhile clears closingDeliberately and owns the state from then on.
    if (!this.disposed && this.closingDeliberately) this.setConnectionState("disconnected");
  }

  onRunFinished() {
    this.finished = true;
    this.root.classList.add("lv-finished");
    if (this.connectionState === "disconnected") this.setConnectionState("disconnected");
    this.setStatus("Run finished — end of log", "done");
    this.reconnectButton.hidden = true;
    this.updatePausedNotice();
  }

  setConnectionState(state) {
    this.connectionState = state;
    // A finished run's stream is closed on purpose: it reads "complete", not as a lost connection.
    const shown = state === "disconnected" && this.finished ? "complete" : state;
    setText(this.connectionBadge, shown);
    this.connectionBadge.dataset.state = shown;
    this.reconnectButton.hidden = state !== "disconnected" || this.finished;
  }

  setStatus(text, kind = "info") {
    setText(this.status, text);
    this.status.dataset.kind = kind;
    this.status.hidden = text === "";
  }

  // --- Lines, filters and following --------------------------------------------------------

  onStoreChanged({ newSources, droppedFiltered }) {
    for (const source of newSources) this.addSourceOption(source);
    this.trimShift += droppedFiltered * this.rowHeight;
    this.scheduleRender();
  }

  readFilter() {
    const source = this.sourceSelect.value;
    return {
      source: source === ALL_SOURCES ? null : source.slice(SOURCE_PREFIX.length),
      minRank: Number(this.levelSelect.value),
      query: this.searchInput.value,
    };
  }

  applyFilter() {
    clearTimeout(this.searchTimer);
    const filter = this.readFilter();
    if (!this.following) this.anchorSeq = this.topVisibleSeq();
    this.store.setFilter(filter);
    this.highlight = filter.query === "" ? null : searchPattern(filter.query, "gi");
    this.spacer.replaceChildren();
    this.rows = new Map();
    this.scheduleRender();
  }

  topVisibleSeq() {
    const index = Math.floor((this.viewport.scrollTop - this.trimShift) / this.rowHeight);
    return this.store.filtered[Math.max(0, index)]?.seq ?? null;
  }

  onScroll() {
    this.noticeUserScroll();
    this.scheduleRender();
  }

  // A position the viewer did not set itself comes from the user (or the browser clamping
  // it). Also checked at the start of each render: a scroll can land before the render of
  // the same frame while its scroll event is dispatched only after it, and following the
  // tail there would silently undo the user's scroll.
  noticeUserScroll() {
    const top = this.viewport.scrollTop;
    if (Math.abs(top - this.knownScrollTop) <= SCROLL_TOLERANCE_PX) return;
    this.knownScrollTop = top;
    this.setFollowing(this.isAtBottom());
  }

  isAtBottom() {
    const { scrollHeight, clientHeight, scrollTop } = this.viewport;
    return scrollHeight - clientHeight - scrollTop <= SCROLL_TOLERANCE_PX;
  }

  pauseByUser() {
    if (this.viewport.scrollHeight > this.viewport.clientHeight) this.setFollowing(false);
  }

  jumpToLatest() {
    this.setFollowing(true);
    this.viewport.focus({ preventScroll: true }); // the focused button is about to disappear
  }

  setFollowing(following) {
    if (this.following === following) return;
    this.following = following;
    if (!following) this.pausedAtSeq = this.store.lastSeq;
    this.updatePausedNotice();
    this.scheduleRender();
  }

  updatePausedNotice() {
    this.pausedNotice.hidden = this.following;
    const where = this.pausedAtSeq > 0 ? `Paused at line ${numberFormat.format(this.pausedAtSeq)}` : "Paused";
    setText(this.pausedText, this.finished ? where : `${where} — new lines keep arriving`);
  }

  // --- Rendering ---------------------------------------------------------------------------

  scheduleRender() {
    if (this.frame === 0 && !this.disposed) {
      this.frame = requestAnimationFrame(() => this.render());
    }
  }

  render() {
    this.frame = 0;
    this.noticeUserScroll();
    const previousTop = this.viewport.scrollTop;
    this.showTrimmedNoteOnce();
    const height = this.store.filtered.length * this.rowHeight;
    if (height !== this.spacerHeight) {
      this.spacer.style.height = `${height}px`;
      this.spacerHeight = height;
    }
    const target = this.scrollTarget(previousTop);
    if (target !== null) this.scrollViewportTo(target);
    this.trimShift = 0;
    this.anchorSeq = null;
    this.renderRows();
    this.updateCount();
  }

  showTrimmedNoteOnce() {
    if (!this.store.truncated || !this.trimmedNote.hidden) return;
    this.trimmedNote.hidden = false;
    // The note takes its height from the top of the viewport; scroll by the same amount
    // so the lines on screen stay where they are.
    this.trimShift -= this.trimmedNote.offsetHeight;
  }

  scrollTarget(previousTop) {
    if (this.following) return this.spacerHeight; // the browser clamps this to the bottom
    if (this.anchorSeq !== null) return this.store.indexOfSeq(this.anchorSeq) * this.rowHeight;
    if (this.trimShift !== 0) return previousTop - this.trimShift;
    return null;
  }

  scrollViewportTo(top) {
    this.viewport.scrollTop = top;
    this.knownScrollTop = this.viewport.scrollTop; // as clamped by the browser
  }

  // Keeps the rows of the visible range (plus overscan) in the DOM, in order, reusing rows
  // that stay visible. The kept rows are always one contiguous run: the range only moves,
  // lines are only appended or trimmed at the front, and a filter change clears all rows.
  renderRows() {
    const { filtered } = this.store;
    const { scrollTop, clientHeight } = this.viewport;
    const first = Math.max(0, Math.floor(scrollTop / this.rowHeight) - OVERSCAN_ROWS);
    const end = Math.min(filtered.length, Math.ceil((scrollTop + clientHeight) / this.rowHeight) + OVERSCAN_ROWS);

    const previous = this.rows;
    const next = new Map();
    const before = document.createDocumentFragment();
    const after = document.createDocumentFragment();
    let firstKept = null;
    for (let index = first; index < end; index++) {
      const line = filtered[index];
      let row = previous.get(line.seq);
      if (row) {
        previous.delete(line.seq);
        firstKept ??= row;
      } else {
        row = createRow(line, this.highlight);
        (firstKept ? after : before).append(row);
      }
      const top = `${index * this.rowHeight}px`;
      if (row.style.top !== top) row.style.top = top;
      next.set(line.seq, row);
    }
    for (const row of previous.values()) row.remove();
    this.spacer.insertBefore(before, firstKept);
    this.spacer.append(after);
    this.rows = next;
  }

  updateCount() {
    const total = this.store.lines.length;
    setText(this.countLabel, this.store.matches === null
      ? formatCount(total, "line")
      : `${numberFormat.format(this.store.filtered.length)} of ${formatCount(total, "line")}`);
  }
}

/**
 * Pure building blocks, exported only for unit tests; not part of the component API.
 * LineStore: bounded line storage with the incremental filtered index.
 * IngestQueue: in-order application of stream batches, including REST gap filling.
 */
export const internals = { LineStore, IngestQueue };
