import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { keepDoublePressFromSelecting } from './lib/double-press';
import { initI18n } from './lib/i18n';
import { captureTokenFromUrl } from './lib/token';

// One stylesheet for the whole app, in a fixed order: every feature's CSS (alphabetically), then
// the global styles, which win a tie. The pages load lazily (app.tsx); a page's CSS loaded with
// its chunk would come after the global styles, and the cascade would depend on which pages had
// been opened, in which order. The features still import their own CSS; this claims it first.
import.meta.glob('./features/**/*.css', { eager: true });

import './styles.css';

// Before the first render, so that no request goes out with a stale token and the secret
// leaves the address bar as early as possible.
captureTokenFromUrl();
initI18n();
// Opening another sign-in link in the same tab changes only the fragment, which reloads nothing.
window.addEventListener('hashchange', () => captureTokenFromUrl());
keepDoublePressFromSelecting(document);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
