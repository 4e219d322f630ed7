/**
 * Keeps a double-click on a control that replaces itself (“Continue as …”, which swaps the sign-in
 * card for the page) from selecting the page. The second press lands on what replaced the first
 * one's target, and Chromium, its selection anchored in the removed node, selects from the top of
 * the document to the pointer: the whole page turns blue. A second press whose first press's
 * target is gone starts no selection; a double-click on a word that stays still selects it.
 * Returns what removes the listener.
 */
export function keepDoublePressFromSelecting(doc: Document): () => void {
  let last: EventTarget | null = null;
  const onPress = (event: MouseEvent) => {
    if (event.detail >= 2 && last instanceof Node && !last.isConnected) event.preventDefault();
    last = event.target;
  };
  doc.addEventListener('mousedown', onPress, true);
  return () => doc.removeEventListener('mousedown', onPress, true);
}
