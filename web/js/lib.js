// The one place the libraries are imported from (served by mailjuke under /vendor/).
export {
  html,
  render,
  useState,
  useEffect,
  useRef,
  useMemo,
  useCallback,
} from "/vendor/htm/preact/standalone.module.js";
