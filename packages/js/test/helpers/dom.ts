// A DOM for React tests in Node: happy-dom's window, registered as the globals react-dom reads.
import { Window } from 'happy-dom';

export interface Dom {
  window: Window;
  close(): Promise<void>;
}

const GLOBALS = ['window', 'document', 'navigator', 'HTMLElement', 'HTMLInputElement', 'Node', 'Element', 'getComputedStyle', 'requestAnimationFrame', 'cancelAnimationFrame'] as const;

export function installDom(url = 'http://localhost:3000/'): Dom {
  const window = new Window({ url });
  const g = globalThis as Record<string, unknown>;
  const saved = new Map<string, PropertyDescriptor | undefined>();
  for (const key of GLOBALS) {
    saved.set(key, Object.getOwnPropertyDescriptor(globalThis, key));
    const value = (window as unknown as Record<string, unknown>)[key];
    const method = key === 'getComputedStyle' || key === 'requestAnimationFrame' || key === 'cancelAnimationFrame';
    Object.defineProperty(globalThis, key, { value: method && typeof value === 'function' ? value.bind(window) : value, configurable: true, writable: true });
  }
  g.IS_REACT_ACT_ENVIRONMENT = true;
  return {
    window,
    async close() {
      for (const [key, desc] of saved) {
        if (desc) Object.defineProperty(globalThis, key, desc);
        else delete g[key];
      }
      delete g.IS_REACT_ACT_ENVIRONMENT;
      await window.happyDOM.close();
    },
  };
}

/** Types into a React-controlled input: the native value setter, then an `input` event. */
export function typeInto(window: Window, input: unknown, value: string): void {
  const setter = Object.getOwnPropertyDescriptor(window.HTMLInputElement.prototype, 'value')?.set;
  if (!setter) throw new Error('no value setter');
  setter.call(input, value);
  (input as { dispatchEvent(e: unknown): boolean }).dispatchEvent(new window.Event('input', { bubbles: true }));
}
