// Journey segments on a route whose stops are numbered 0..stopCount-1.
//
// A segment [fromSeq, toSeq) occupies the hops fromSeq..toSeq-1, hop h being
// the stretch between stop h and stop h+1. Two segments conflict only when
// they share a hop, so a berth sold 0→2 can be sold again 2→4 but not 0→3.

export interface Segment {
  fromSeq: number;
  toSeq: number;
}

/** True when fromSeq < toSeq are whole stop numbers of a route with `stopCount` stops. */
export function isValidSegment(stopCount: number, fromSeq: number, toSeq: number): boolean {
  return (
    Number.isInteger(fromSeq) &&
    Number.isInteger(toSeq) &&
    fromSeq >= 0 &&
    fromSeq < toSeq &&
    toSeq <= stopCount - 1
  );
}

/** True when the two segments share at least one hop (touching ends do not overlap). */
export function segmentsOverlap(aFrom: number, aTo: number, bFrom: number, bTo: number): boolean {
  return aFrom < bTo && bFrom < aTo;
}
