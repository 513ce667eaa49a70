// tremorscope's page: upload with options and regions, live progress, the report, the history.
// Standard browser APIs only (no libraries, no build step); talks to the JSON API of this server.
"use strict";

const POLL_MS = 700;
const API = "/api/analyses";
const VIDEO_ENDINGS = [".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".ts",
  ".mts", ".m2ts", ".wmv", ".flv", ".3gp", ".ogv"];
const UNFINISHED = ["queued", "running"];

const $ = (id) => document.getElementById(id);
const state = { file: null, regions: [], drag: null, image: null, current: null, timer: null };

// ------------------------------------------------------------------------------ small helpers

function ending(name) {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? "" : name.slice(dot).toLowerCase();
}

function isVideo(file) {
  return file.type.startsWith("video/") || VIDEO_ENDINGS.includes(ending(file.name));
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  if (className) node.className = className;
  return node;
}

async function getJSON(url) {
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

function fileLinks(id, files) {
  const span = element("span", null, "files");
  for (const name of files || []) {
    const link = element("a", name);
    link.href = `${API}/${id}/files/${encodeURIComponent(name)}`;
    link.setAttribute("download", name);
    span.append(link);
  }
  return span;
}

// ------------------------------------------------------------------------------ choosing a file

function choose(file) {
  state.file = file;
  state.regions = [];
  state.image = null;
  $("chosen").textContent = file ? `${file.name} (${(file.size / 1048576).toFixed(1)} MB)` : "";
  $("submit").disabled = !file;
  $("form-error").textContent = "";
  drawRegionsList();
  $("regions-box").hidden = true;
  if (file && isVideo(file)) showFirstFrame(file);
}

function showFirstFrame(file) {
  // The first frame is decoded by the browser itself: no upload needed before drawing.
  const video = document.createElement("video");
  const url = URL.createObjectURL(file);
  video.muted = true;
  video.preload = "auto";
  video.playsInline = true;
  const note = $("frame-note");
  const done = () => URL.revokeObjectURL(url);
  video.addEventListener("loadeddata", () => {
    if (video.currentTime === 0) video.currentTime = 0.001; // some browsers paint on a seek
  });
  video.addEventListener("seeked", () => {
    const canvas = $("frame");
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext("2d").drawImage(video, 0, 0);
    state.image = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
    $("regions-box").hidden = false;
    note.hidden = true;
    redraw();
    done();
  }, { once: true });
  video.addEventListener("error", () => {
    $("regions-box").hidden = false;
    $("frame").width = 0;
    note.hidden = false;
    note.textContent = "This browser cannot show this video's frames, so regions cannot be drawn; "
      + "the video is measured all the same.";
    done();
  }, { once: true });
  video.src = url;
}

// ------------------------------------------------------------------------------ regions

function canvasPoint(event) {
  const canvas = $("frame");
  const box = canvas.getBoundingClientRect();
  const x = ((event.clientX - box.left) / box.width) * canvas.width;
  const y = ((event.clientY - box.top) / box.height) * canvas.height;
  return [Math.min(Math.max(x, 0), canvas.width), Math.min(Math.max(y, 0), canvas.height)];
}

function boxOf(a, b) {
  const x = Math.round(Math.min(a[0], b[0]));
  const y = Math.round(Math.min(a[1], b[1]));
  return [x, y, Math.round(Math.max(a[0], b[0])) - x, Math.round(Math.max(a[1], b[1])) - y];
}

function redraw() {
  const canvas = $("frame");
  const context = canvas.getContext("2d");
  if (state.image) context.putImageData(state.image, 0, 0);
  const line = Math.max(1, canvas.width / 300);
  context.lineWidth = line;
  context.font = `${Math.max(10, canvas.width / 40)}px sans-serif`;
  const boxes = state.regions.map((r) => [r.name, r.box]);
  if (state.drag) boxes.push(["", boxOf(state.drag.start, state.drag.end)]);
  for (const [name, [x, y, w, h]] of boxes) {
    context.strokeStyle = "#ffcc00";
    context.strokeRect(x, y, w, h);
    context.fillStyle = "#ffcc00";
    if (name) context.fillText(name, x + 2 * line, y + 12 * line);
  }
}

function drawRegionsList() {
  const list = $("regions");
  list.replaceChildren();
  state.regions.forEach((region, index) => {
    const item = element("li");
    const name = element("input");
    name.value = region.name;
    name.setAttribute("aria-label", "region name");
    name.pattern = "[A-Za-z0-9_-]+";
    name.addEventListener("input", () => { region.name = name.value.trim(); redraw(); });
    const size = element("span", region.box.join(", "), "box");
    const remove = element("button", "remove");
    remove.type = "button";
    remove.addEventListener("click", () => {
      state.regions.splice(index, 1);
      drawRegionsList();
      redraw();
    });
    item.append(name, size, remove);
    list.append(item);
  });
}

function setUpDrawing() {
  const canvas = $("frame");
  canvas.addEventListener("pointerdown", (event) => {
    if (!state.image) return;
    canvas.setPointerCapture(event.pointerId);
    const point = canvasPoint(event);
    state.drag = { start: point, end: point };
    event.preventDefault();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!state.drag) return;
    state.drag.end = canvasPoint(event);
    redraw();
  });
  const finish = (event) => {
    if (!state.drag) return;
    state.drag.end = canvasPoint(event);
    const box = boxOf(state.drag.start, state.drag.end);
    state.drag = null;
    if (box[2] >= 4 && box[3] >= 4) {
      state.regions.push({ name: `region${state.regions.length + 1}`, box });
      drawRegionsList();
    }
    redraw();
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", () => { state.drag = null; redraw(); });
}

// ------------------------------------------------------------------------------ upload

function formData() {
  const data = new FormData();
  data.append("file", state.file, state.file.name);
  for (const field of ["person", "context", "scale"]) {
    const value = $(field).value.trim();
    if (value) data.append(field, value);
  }
  for (const region of state.regions) {
    data.append("region", `${region.box.join(",")}:${region.name}`);
  }
  if ($("annotated").checked) data.append("annotated", "1");
  return data;
}

function upload(event) {
  event.preventDefault();
  if (!state.file) return;
  const request = new XMLHttpRequest();
  const name = state.file.name;
  $("submit").disabled = true;
  $("form-error").textContent = "";
  showCurrent(name, 0, "uploading");
  request.upload.addEventListener("progress", (e) => {
    if (e.lengthComputable) $("status").textContent = `uploading: ${Math.round(100 * e.loaded / e.total)} %`;
  });
  request.addEventListener("load", () => {
    let body = {};
    try { body = JSON.parse(request.responseText); } catch { body = {}; }
    $("submit").disabled = false;
    if (request.status >= 400) {
      $("form-error").textContent = body.error || `the upload was refused (${request.status})`;
      $("current").hidden = true;
      return;
    }
    choose(null);
    $("file").value = "";
    follow(body.id, name);
    refreshHistory();
  });
  request.addEventListener("error", () => {
    $("submit").disabled = false;
    $("form-error").textContent = "the upload did not reach the server";
    $("current").hidden = true;
  });
  request.open("POST", API);
  request.send(formData());
}

// ------------------------------------------------------------------------------ progress, report

function showCurrent(name, progress, text) {
  $("current").hidden = false;
  $("current-name").textContent = name;
  $("progress").value = progress;
  $("status").textContent = text;
}

function follow(id, name) {
  clearTimeout(state.timer);
  state.current = id;
  const tick = async () => {
    if (state.current !== id) return;
    let analysis;
    try {
      analysis = await getJSON(`${API}/${id}`);
    } catch {
      state.timer = setTimeout(tick, POLL_MS * 2);
      return;
    }
    const percent = Math.round(100 * analysis.progress);
    const drawing = analysis.options && analysis.options.annotated ? ", drawing the annotated video" : "";
    const words = analysis.status !== "running" ? analysis.status
      : percent < 100 ? `running: ${percent} % of the frames`
      : `finishing: the report${drawing}`;
    showCurrent(analysis.name || name, analysis.progress, words);
    $("current").dataset.status = analysis.status;
    if (UNFINISHED.includes(analysis.status)) {
      state.timer = setTimeout(tick, POLL_MS);
      return;
    }
    refreshHistory();
    if (analysis.status === "done") {
      $("current").hidden = true;
      openReport(analysis);
    } else {
      $("status").textContent = `failed: ${analysis.error || "unknown reason"}`;
      $("progress").value = 0;
    }
  };
  tick();
}

function openReport(analysis) {
  $("result").hidden = false;
  $("result-name").textContent = analysis.name;
  $("result-files").replaceWith(fileLinks(analysis.id, analysis.files));
  $("result").querySelector(".files").id = "result-files";
  $("report").src = `${API}/${analysis.id}/report`;
  $("result").dataset.id = analysis.id;
  $("result").scrollIntoView({ behavior: "smooth", block: "start" });
}

// ------------------------------------------------------------------------------ history

async function refreshHistory() {
  let analyses;
  try {
    analyses = await getJSON(API);
  } catch {
    return;
  }
  const rows = $("history-rows");
  rows.replaceChildren();
  $("history-empty").hidden = analyses.length > 0;
  $("history-table").hidden = analyses.length === 0;
  for (const analysis of analyses) rows.append(historyRow(analysis));
  if (analyses.some((a) => UNFINISHED.includes(a.status))) {
    clearTimeout(state.historyTimer);
    state.historyTimer = setTimeout(refreshHistory, POLL_MS * 3);
  }
}

function historyRow(analysis) {
  const row = element("tr");
  row.dataset.id = analysis.id;
  const when = new Date(analysis.created);
  const cells = [
    element("td", analysis.name, "name"),
    element("td", isNaN(when) ? analysis.created : when.toLocaleString(), "date"),
    element("td", analysis.status === "failed" ? analysis.error : analysis.finding || "", "finding"),
    element("td", analysis.status === "running"
      ? `running ${Math.round(100 * analysis.progress)} %` : analysis.status,
      `state state-${analysis.status}`),
  ];
  cells[0].dataset.label = "Name";
  cells[1].dataset.label = "Date";
  cells[2].dataset.label = "Main finding";
  cells[3].dataset.label = "Status";
  const actions = element("td", null, "row-actions");
  if (analysis.status === "done") {
    const open = element("button", "open", "open");
    open.type = "button";
    open.addEventListener("click", async () => openReport(await getJSON(`${API}/${analysis.id}`)));
    actions.append(open);
  } else if (UNFINISHED.includes(analysis.status)) {
    const watch = element("button", "follow", "follow");
    watch.type = "button";
    watch.addEventListener("click", () => follow(analysis.id, analysis.name));
    actions.append(watch);
  }
  actions.append(fileLinks(analysis.id, analysis.files));
  const remove = element("button", "delete", "delete");
  remove.type = "button";
  remove.addEventListener("click", async () => {
    if (!window.confirm(`Delete ${analysis.name} and its results?`)) return;
    await fetch(`${API}/${analysis.id}`, { method: "DELETE" });
    if ($("result").dataset.id === analysis.id) $("result").hidden = true;
    if (state.current === analysis.id) { state.current = null; $("current").hidden = true; }
    refreshHistory();
  });
  actions.append(remove);
  row.append(...cells, actions);
  return row;
}

// ------------------------------------------------------------------------------ start

async function loadSettings() {
  try {
    const settings = await getJSON("/api/settings");
    const select = $("context");
    select.replaceChildren();
    for (const context of settings.contexts) {
      const option = element("option", context);
      option.value = context;
      option.selected = context === "unknown";
      select.append(option);
    }
    $("drop").dataset.limit = settings.max_upload_mb;
  } catch {
    // the defaults in the page stay
  }
}

function setUpDrop() {
  const drop = $("drop");
  for (const name of ["dragenter", "dragover"]) {
    drop.addEventListener(name, (e) => { e.preventDefault(); drop.classList.add("over"); });
  }
  for (const name of ["dragleave", "drop"]) {
    drop.addEventListener(name, () => drop.classList.remove("over"));
  }
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    if (e.dataTransfer.files.length) choose(e.dataTransfer.files[0]);
  });
  $("file").addEventListener("change", () => choose($("file").files[0] || null));
}

document.addEventListener("DOMContentLoaded", () => {
  setUpDrop();
  setUpDrawing();
  $("form").addEventListener("submit", upload);
  loadSettings();
  refreshHistory();
});
