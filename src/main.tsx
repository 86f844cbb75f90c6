// Entry of the lab SPA: mounts the React tree.
// The lab itself (worker, store, charts) is built in later issues; this page says what is coming.
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';

createRoot(document.getElementById('root')!).render(<App />);
