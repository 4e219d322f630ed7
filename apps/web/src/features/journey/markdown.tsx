import Markdown from 'react-markdown';

/**
 * Orientation Markdown, rendered safely: raw HTML in the source is dropped (never rendered), and
 * react-markdown's default URL check leaves out `javascript:` and other unsafe links. The text may
 * be in any script, so the block takes its direction from its content.
 */
export function OrientationMarkdown({ text }: { text: string }) {
  return (
    <div className="journey-markdown" dir="auto">
      <Markdown skipHtml>{text}</Markdown>
    </div>
  );
}
