// Copies text to the clipboard (the browser allows it on a user gesture, on localhost or HTTPS).
export async function copy(text) {
  await navigator.clipboard.writeText(text);
}
