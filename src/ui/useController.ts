// The lab's controller for React components: the app creates one LabController and provides it; components read it
// with useController() instead of importing a module-level instance.
import { createContext, useContext } from 'react';
import type { LabController } from './controller';

export const ControllerContext = createContext<LabController | null>(null);

/** The controller the app provides (throws outside its provider: a component rendered without the app). */
export function useController(): LabController {
  const lab = useContext(ControllerContext);
  if (!lab) throw new Error('useController: no LabController provided (render inside <App>)');
  return lab;
}
