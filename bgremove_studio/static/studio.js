// bgremove studio page: plain JS, no build step. The settings form is generated from the schema
// the server sends (/api/schema); every request carries this run's token.
"use strict";

const token = document.querySelector('meta[name="studio-token"]').content;
const $ = (selector) => document.querySelector(selector);
const POLL_MS = 500;

const studio = {
  fields: [],
  values: {},
  uploads: [],
  selected: null,
  previews: 0,          // previews shown so far (tests wait for this to grow)
  previewWanted: null,  // the request of the newest preview asked for
  previewShown: null,   // the request of the preview on screen
  previewBusy: false,
  previewBlob: null,    // the PNG on screen
  uploadsDrawn: "",     // what the list of files shows
};
window.studio = studio;

async function api(path, options = {}) {
  const headers = Object.assign({ "X-Studio-Token": token }, options.headers || {});
  const response = await fetch(path, Object.assign({}, options, { headers }));
  if (!response.ok) {
    let message = response.statusText;
    try { message = (await response.json()).error || message; } catch (_) { /* not JSON */ }
    throw new Error(message);
  }
  return response;
}

function say(id, text, bad = false) {
  const element = $(id);
  element.textContent = text;
  element.classList.toggle("error", bad);
}

// ------------------------------------------------------------------ uploads
async function upload(file, role = "input") {
  await api("/api/uploads/check", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: file.name, size: file.size, role }),
  });
  const query = new URLSearchParams({ name: file.name, role });
  const response = await api(`/api/uploads?${query}`, { method: "PUT", body: file });
  return response.json();
}

async function addFiles(files) {
  let last = null;
  for (const file of files) {
    say("#upload-status", `Adding ${file.name}…`);
    try {
      last = await upload(file);
    } catch (error) {
      say("#upload-status", error.message, true);
      continue;
    }
    say("#upload-status", `Added ${file.name}.`);
  }
  await refresh();
  if (last && !last.error && studio.selected === null) select(last.id);
}

function describeUpload(item) {
  if (item.error) return item.error;
  const info = item.info;
  if (info.kind === "image") return `picture, ${info.width}×${info.height}`;
  return `video, ${info.width}×${info.height}, ${info.frames} frames, ${info.duration.toFixed(1)} s`;
}

function renderUploads() {
  // Redrawn only when something changed, so an entry is never replaced under the pointer.
  const drawn = JSON.stringify([studio.uploads, studio.selected]);
  if (drawn === studio.uploadsDrawn) return;
  studio.uploadsDrawn = drawn;
  const list = $("#uploads");
  list.replaceChildren(...studio.uploads.map((item) => {
    const li = document.createElement("li");
    li.className = "upload" + (item.id === studio.selected ? " selected" : "");
    li.dataset.id = item.id;
    const name = document.createElement("span");
    name.textContent = item.name;
    const info = document.createElement("span");
    info.className = "info" + (item.error ? " error" : "");
    info.textContent = describeUpload(item);
    li.append(name, info);
    li.addEventListener("click", () => select(item.id));
    return li;
  }));
}

function selectedUpload() {
  return studio.uploads.find((item) => item.id === studio.selected) || null;
}

function select(id) {
  studio.selected = id;
  const item = selectedUpload();
  const slider = $("#frame");
  const frames = item && item.info.kind === "video" ? item.info.frames : 1;
  slider.max = Math.max(frames - 1, 0);
  slider.value = 0;
  slider.disabled = frames <= 1;
  $("#process").disabled = !item;
  $("#process").textContent = item ? `Process ${item.name}` : "Process";
  renderUploads();
  showFrameTime();
  requestPreview();
}

// ------------------------------------------------------------------ settings form
function control(field) {
  const id = `setting-${field.key}`;
  let input;
  let shown = null;
  if (field.kind === "bool") {
    input = document.createElement("input");
    input.type = "checkbox";
    input.checked = studio.values[field.key];
  } else if (field.kind === "choice") {
    input = document.createElement("select");
    for (const [value, label] of field.choices) input.add(new Option(label, value));
    input.value = studio.values[field.key];
  } else if (field.kind === "colour") {
    input = document.createElement("input");
    input.type = "color";
    input.value = studio.values[field.key].toLowerCase();
  } else if (field.kind === "path") {
    input = document.createElement("input");
    input.type = "file";
    input.accept = field.accept;
    shown = document.createElement("output");
    shown.textContent = "none";
  } else {
    input = document.createElement("input");
    input.type = "range";
    input.min = field.minimum;
    input.max = field.maximum;
    input.step = field.step;
    input.value = studio.values[field.key];
    shown = document.createElement("output");
    shown.textContent = `${input.value}${field.suffix}`;
  }
  input.id = id;
  input.name = field.key;
  input.addEventListener(field.kind === "path" ? "change" : "input", async () => {
    if (field.kind === "path") {
      const file = input.files[0];
      if (!file) return;
      shown.textContent = `adding ${file.name}…`;
      try {
        const stored = await upload(file, "setting");
        studio.values[field.key] = stored.id;
        shown.textContent = stored.name;
      } catch (error) {
        shown.textContent = error.message;
        return;
      }
    } else if (field.kind === "bool") {
      studio.values[field.key] = input.checked;
    } else if (field.kind === "int" || field.kind === "float") {
      studio.values[field.key] = Number(input.value);
      shown.textContent = `${input.value}${field.suffix}`;
    } else {
      studio.values[field.key] = input.value;
    }
    requestPreview();
  });
  return [input, shown];
}

function renderForm() {
  const form = $("#settings");
  form.replaceChildren(...studio.fields.map((field) => {
    const box = document.createElement("div");
    box.className = "field";
    box.dataset.key = field.key;
    const label = document.createElement("label");
    label.htmlFor = `setting-${field.key}`;
    label.textContent = field.label;
    const row = document.createElement("div");
    row.className = "row";
    const [input, shown] = control(field);
    row.append(input);
    if (shown) row.append(shown);
    const help = document.createElement("p");
    help.className = "help";
    help.textContent = field.help;
    box.append(label, row, help);
    return box;
  }));
}

function pageSettings() {
  // Only what differs from the defaults: the server fills in the rest, as the CLI does.
  const changed = {};
  for (const field of studio.fields) {
    const value = studio.values[field.key];
    if (field.kind === "path" ? value !== "" : value !== field.default) changed[field.key] = value;
  }
  return changed;
}

// ------------------------------------------------------------------ preview
function frameSeconds() {
  const item = selectedUpload();
  if (!item || item.info.kind !== "video") return null;
  return (Number($("#frame").value) + 0.5) / item.info.fps;
}

function showFrameTime() {
  const seconds = frameSeconds();
  $("#frame-time").textContent = seconds === null ? "" : `${Number($("#frame").value) + 1} (${seconds.toFixed(2)} s)`;
}

function requestPreview() {
  const item = selectedUpload();
  if (!item || item.error) return;
  studio.previewWanted = { upload: item.id, at: frameSeconds(), settings: pageSettings() };
  if (!studio.previewBusy) renderPreview();
}

async function renderPreview() {
  // One request at a time; the newest settings win, and intermediate ones are skipped.
  studio.previewBusy = true;
  while (studio.previewWanted && JSON.stringify(studio.previewWanted) !== JSON.stringify(studio.previewShown)) {
    const wanted = studio.previewWanted;
    say("#preview-status", "Rendering…");
    const started = performance.now();
    try {
      const response = await api("/api/preview", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(wanted),
      });
      const image = $("#preview");
      const old = image.src;
      studio.previewBlob = await response.blob();
      image.src = URL.createObjectURL(studio.previewBlob);
      if (old) URL.revokeObjectURL(old);
      say("#preview-status", `Rendered in ${Math.round(performance.now() - started)} ms.`);
    } catch (error) {
      say("#preview-status", error.message, true);
    }
    studio.previewShown = wanted;
    studio.previews += 1;
  }
  studio.previewBusy = false;
}

// ------------------------------------------------------------------ queue
async function process() {
  const item = selectedUpload();
  if (!item) return;
  try {
    await api("/api/jobs", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ upload: item.id, settings: pageSettings() }),
    });
    say("#process-status", `${item.name} is in the queue.`);
  } catch (error) {
    say("#process-status", error.message, true);
  }
  await refresh();
}

function clock(seconds) {
  if (seconds === null) return "";
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

function actionButton(text, className, action) {
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = text;
  button.className = `plain ${className}`;
  button.addEventListener("click", action);
  return button;
}

async function jobAction(id, what) {
  try {
    await api(`/api/jobs/${id}/${what}`, { method: "POST" });
  } catch (error) {
    say("#folder-status", error.message, true);
  }
  await refresh();
}

async function reveal() {
  const answer = await (await api("/api/reveal", { method: "POST" })).json();
  say("#folder-status", `Results are in ${answer.folder}` + (answer.opened ? " (opened in the file manager)." : "."));
}

function buildRow(job) {
  const row = document.createElement("tr");
  row.className = "job";
  row.dataset.id = job.id;
  row.dataset.state = job.state;
  const cells = [job.name, job.output].map((text) => {
    const cell = document.createElement("td");
    cell.textContent = text;
    return cell;
  });
  const progress = document.createElement("td");
  progress.append(document.createElement("progress"));
  const fps = document.createElement("td");
  fps.className = "fps";
  const left = document.createElement("td");
  left.className = "left";
  const state = document.createElement("td");
  state.className = "state" + (job.error ? " error" : "");
  state.textContent = job.error ? `failed: ${job.error}` : job.state;
  const actions = document.createElement("td");
  actions.className = "actions";
  if (job.state === "queued" || job.state === "running") {
    actions.append(actionButton("Cancel", "cancel", () => jobAction(job.id, "cancel")));
  }
  if (job.state === "failed" || job.state === "cancelled") {
    actions.append(actionButton("Retry", "retry", () => jobAction(job.id, "retry")));
  }
  if (job.state === "done") {
    const link = document.createElement("a");
    link.className = "button download";
    link.href = `/api/jobs/${job.id}/download?token=${encodeURIComponent(token)}`;
    link.download = job.output;
    link.textContent = "Download";
    actions.append(link, actionButton("Show in folder", "reveal", reveal));
  }
  row.append(...cells, progress, fps, left, state, actions);
  return row;
}

function updateRow(row, job) {
  // Only the moving parts change in place, so a button is never replaced under the pointer.
  const bar = row.querySelector("progress");
  bar.max = Math.max(job.total, 1);
  bar.value = job.state === "done" ? bar.max : job.frames;
  row.querySelector(".fps").textContent = job.state === "running" || job.state === "done" ? job.fps.toFixed(1) : "";
  row.querySelector(".left").textContent = job.state === "running" ? clock(job.seconds_left) : "";
}

function renderJobs(jobs) {
  const body = $("#queue tbody");
  const rows = jobs.slice().reverse().map((job) => {
    let row = body.querySelector(`.job[data-id="${job.id}"]`);
    if (!row || row.dataset.state !== job.state) row = buildRow(job);
    updateRow(row, job);
    return row;
  });
  const current = [...body.children];
  if (rows.length !== current.length || rows.some((row, index) => row !== current[index])) {
    body.replaceChildren(...rows);
  }
  const running = jobs.filter((job) => job.state === "running").length;
  const queued = jobs.filter((job) => job.state === "queued").length;
  $("#queue-summary").textContent = `${running} running, ${queued} waiting.`;
}

async function refresh() {
  try {
    const state = await (await api("/api/state")).json();
    $("#output-folder").textContent = state.output;
    studio.uploads = state.uploads;
    renderUploads();
    renderJobs(state.jobs);
  } catch (error) {
    say("#queue-summary", `The studio does not answer (${error.message}); is it still running?`, true);
  }
}

// ------------------------------------------------------------------ start
async function start() {
  studio.fields = (await (await api("/api/schema")).json()).fields;
  for (const field of studio.fields) studio.values[field.key] = field.default;
  renderForm();
  const zone = $("#dropzone");
  zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    addFiles([...event.dataTransfer.files]);
  });
  $("#files").addEventListener("change", (event) => { addFiles([...event.target.files]); event.target.value = ""; });
  $("#frame").addEventListener("input", () => { showFrameTime(); requestPreview(); });
  $("#process").addEventListener("click", process);
  await refresh();
  setInterval(refresh, POLL_MS);
}

start();
