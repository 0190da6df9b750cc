// Imported first by React tests: registers happy-dom's globals before react-dom loads, since
// react-dom decides at load time whether it runs in a browser (without a DOM then, controlled
// inputs would never fire onChange).
import { installDom } from './dom.ts';

export const dom = installDom();
