// Space toggles training from anywhere (the one listener for it): the page, numeric knobs, sliders and menus, which
// take no spaces, and buttons or checkboxes focused by a click. Free-text fields keep their Space; a control reached
// by the keyboard keeps Space as its own activation key.

const TEXT_TYPES = new Set(['text', 'search', 'email', 'url', 'tel', 'password']);

/** What Space should do on `t`: 'type' (free text), 'native' (the control's own), 'toggle' (train / pause), or
 *  'page' (no control has focus: train / pause too, and the page does not scroll). */
export function spaceAction(t: Element | null): 'type' | 'native' | 'toggle' | 'page' {
  if (!(t instanceof HTMLElement)) return 'page';
  if (t.isContentEditable || t instanceof HTMLTextAreaElement) return 'type';
  if (t instanceof HTMLSelectElement) return 'toggle';
  if (t instanceof HTMLInputElement) {
    if (TEXT_TYPES.has(t.type)) return 'type';
    if (t.type === 'number' || t.type === 'range') return 'toggle';
    if (t.type === 'checkbox' || t.type === 'radio' || t.type === 'file')
      return keyboardFocused(t) ? 'native' : 'toggle';
    return 'toggle';
  }
  if (t instanceof HTMLButtonElement) return keyboardFocused(t) ? 'native' : 'toggle';
  return 'page';
}

function keyboardFocused(t: HTMLElement): boolean {
  try {
    return t.matches(':focus-visible');
  } catch {
    return true; // a browser without :focus-visible: leave the control its Space
  }
}

const isSpace = (e: KeyboardEvent) => (e.code === 'Space' || e.key === ' ') && !e.ctrlKey && !e.metaKey && !e.altKey;

function onKeyUp(e: KeyboardEvent) {
  if (isSpace(e) && spaceAction(e.target as Element | null) === 'toggle') e.preventDefault(); // a button clicks on keyup
}

/** Install the listeners (capture phase, before React's), Space calling `toggle` (the lab's train / pause); returns
 *  their removal. */
export function installSpaceKey(toggle: () => void): () => void {
  const onKeyDown = (e: KeyboardEvent) => {
    const action = isSpace(e) ? spaceAction(e.target as Element | null) : null;
    if (action !== 'toggle' && action !== 'page') return;
    e.preventDefault(); // no space typed into a number field (which would blank it), no menu opened, no click, no scroll
    if (!e.repeat) toggle();
  };
  window.addEventListener('keydown', onKeyDown, true);
  window.addEventListener('keyup', onKeyUp, true);
  return () => {
    window.removeEventListener('keydown', onKeyDown, true);
    window.removeEventListener('keyup', onKeyUp, true);
  };
}
