import { useEffect, useRef, useState } from 'react';

export interface LiveUpdate {
  type: string;
  caseId: string;
  taskId: string;
  propertyId: string;
  /** MessageSent / MessageDelivered / MessageFailed only ('' otherwise). */
  parcelId: string;
  messageId: string;
}

/** A message's status changed (sent, delivered, an attempt failed): nothing about tasks changed. */
export const isMessageUpdate = (u: LiveUpdate): boolean => u.type.startsWith('Message');

/**
 * Subscribes to /api/events (Server-Sent Events, cookie session). EventSource reconnects by itself;
 * `onReconnect` lets the page refetch what it may have missed while the stream was down.
 */
export function useLiveUpdates(onUpdate: (u: LiveUpdate) => void, onReconnect: () => void): boolean {
  const [connected, setConnected] = useState(false);
  const handlers = useRef({ onUpdate, onReconnect });
  handlers.current = { onUpdate, onReconnect };

  useEffect(() => {
    const source = new EventSource('/api/events');
    let wasDown = false;
    source.onopen = () => {
      setConnected(true);
      if (wasDown) handlers.current.onReconnect();
    };
    source.onerror = () => {
      wasDown = true;
      setConnected(false);
    };
    source.addEventListener('update', (e) => {
      try {
        handlers.current.onUpdate(JSON.parse((e as MessageEvent<string>).data) as LiveUpdate);
      } catch {
        // a malformed push is ignored; the next refetch corrects the view
      }
    });
    return () => source.close();
  }, []);
  return connected;
}
