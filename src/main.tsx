// Entry of the lab SPA: mounts the React tree (the lab starts its training worker on mount).
// See src/ui/App.tsx for the layout and src/ui/controller.ts for the worker wiring.
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';

createRoot(document.getElementById('root')!).render(<App />);
