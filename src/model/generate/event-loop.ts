// Yields to the host's task queue between decode steps, so an AbortSignal fired by a message or timer is seen promptly.

type Resume = () => void;

/** setImmediate (Node) or a MessageChannel hop (browsers, workers): a macrotask without setTimeout's 1–4 ms clamp. */
function scheduleMacrotask(resume: Resume): void {
  const immediate = (globalThis as { setImmediate?: (fn: Resume) => unknown }).setImmediate;
  if (immediate) {
    immediate(resume);
    return;
  }
  if (typeof MessageChannel !== 'undefined') {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resume();
    };
    channel.port2.postMessage(null);
    return;
  }
  setTimeout(resume, 0);
}

export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => scheduleMacrotask(resolve));
}
