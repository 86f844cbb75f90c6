// Subscribe to the store's metrics version at most every `ms` milliseconds (zustand's transient-update pattern), so
// charts re-render a few times a second however fast deltas arrive.
import { useEffect, useState } from 'react';
import { useLab } from '../store';

export function useThrottledVersion(ms = 250): number {
  const [v, setV] = useState(() => useLab.getState().version);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const unsub = useLab.subscribe((s, prev) => {
      if (s.version === prev.version || timer) return;
      timer = setTimeout(() => {
        timer = null;
        setV(useLab.getState().version);
      }, ms);
    });
    return () => {
      unsub();
      if (timer) clearTimeout(timer);
    };
  }, [ms]);
  return v;
}
