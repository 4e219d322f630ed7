import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { keepDoublePressFromSelecting } from './lib/double-press';
import { initI18n } from './lib/i18n';
import { captureTokenFromUrl } from './lib/token';
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
