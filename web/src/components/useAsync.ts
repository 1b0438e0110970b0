import { type DependencyList, useCallback, useEffect, useRef, useState } from 'react';

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again, keeping the current data on screen meanwhile. */
  reload: () => void;
  setData: (data: T) => void;
}

/**
 * Runs `load` when `deps` change (showing nothing stale from the previous deps) or on `reload()`.
 * Only the latest run may set state, so a slow answer never overwrites a newer one.
 */
export function useAsync<T>(load: () => Promise<T>, deps: DependencyList): AsyncState<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const [generation, setGeneration] = useState(0);
  const run = useRef(0);
  const lastLoader = useRef<unknown>(null);
  const loader = useCallback(load, deps);

  useEffect(() => {
    const id = ++run.current;
    const keep = lastLoader.current === loader;
    lastLoader.current = loader;
    setState((s) => ({ data: keep ? s.data : undefined, error: undefined, loading: true }));
    loader().then(
      (data) => {
        if (run.current === id) setState({ data, error: undefined, loading: false });
      },
      (error: unknown) => {
        if (run.current === id) setState((s) => ({ data: s.data, error, loading: false }));
      },
    );
  }, [loader, generation]);

  useEffect(
    () => () => {
      run.current += 1;
    },
    [],
  );

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const setData = useCallback((data: T) => setState({ data, error: undefined, loading: false }), []);
  return { ...state, reload, setData };
}
