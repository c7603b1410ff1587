// Photos on the visit form: shrunk on the phone (long side at most 1600 px), kept in the outbox
// under their own UUID, shown at once from the phone's copy, and removable again before the submit
// (the next save simply no longer names a removed one).

import { h } from "./dom.js";
import { deletePhoto, getPhoto, newUuid, putPhoto } from "./outbox.js";

const LONG_SIDE = 1600;
const objectUrls = new Map(); // photo id -> URL of the phone's copy

async function resize(file) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    throw new Error(`${file.name || "The file"} is not an image.`);
  }
  const scale = Math.min(1, LONG_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close?.();
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
}

/**
 * Shrink and keep in the outbox the photos chosen in input, for owner ({audit_id, user_id}); a file
 * that is not an image goes to onError(message). Returns the ids of the photos kept.
 */
export async function keepPhotos(input, owner, onError) {
  const photoIds = [];
  for (const file of input.files) {
    let blob;
    try {
      blob = await resize(file);
    } catch (error) {
      onError(error.message);
      continue;
    }
    const photoId = newUuid();
    await putPhoto({ photo_id: photoId, ...owner, item_id: input.dataset.photoFor, blob, sent: false });
    photoIds.push(photoId);
  }
  input.value = "";
  return photoIds;
}

/** Name the photos in the answer to input's item: its value (a photo item) or its evidence. */
export function namePhotos(doc, input, photoIds) {
  if (!photoIds.length) return;
  const kind = input.dataset.photoKind === "value" ? "value" : "photos";
  const answer = (doc.answers[input.dataset.photoFor] ??= {});
  answer[kind] = [...(answer[kind] || []), ...photoIds];
}

/** Take a photo out of an item's answer; one never uploaded is dropped from the outbox too. */
export async function removePhoto(doc, itemId, kind, photoId) {
  const answer = doc.answers[itemId] || {};
  answer[kind] = (answer[kind] || []).filter((p) => p !== photoId);
  if (!answer[kind].length) delete answer[kind];
  const kept = await getPhoto(photoId);
  if (kept && !kept.sent) await deletePhoto(photoId); // never uploaded: nothing to send any more
}

/** The document's photos next to their items, each with a Remove button (onRemove(item, kind, photo)). */
export async function showPhotos(form, doc, onRemove) {
  for (const holder of form.querySelectorAll("[data-pending-for]")) {
    const id = holder.dataset.pendingFor;
    const kind = holder.closest(".evidence") ? "photos" : "value";
    const shown = [];
    for (const [index, photoId] of (doc.answers[id]?.[kind] || []).entries()) {
      const kept = await getPhoto(photoId);
      if (kept?.blob && !objectUrls.has(photoId)) objectUrls.set(photoId, URL.createObjectURL(kept.blob));
      const src = kept?.blob ? objectUrls.get(photoId) : `${form.dataset.doneUrl}/photos/${photoId}?size=thumb`;
      shown.push(h("span", { class: "photo" },
        h("img", { width: 64, height: 64, alt: `Photo ${index + 1}`, src, title: kept?.error }),
        h("button", {
          type: "button", class: "button quiet remove-photo", "aria-label": `Remove photo ${index + 1}`,
          onclick: () => onRemove(id, kind, photoId),
        }, "Remove"),
      ));
    }
    holder.replaceChildren(...shown);
    holder.closest(".visit-item, .evidence")?.querySelector(".thumbs")?.setAttribute("hidden", "");
  }
}
