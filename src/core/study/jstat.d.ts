// Types for the two functions of jstat (1.9.6, no bundled typings) that src/core/study/stats.ts uses: the Student t
// distribution's CDF and quantile. jstat is a UMD module: import its default export (Node ESM sees no named ones).
declare module 'jstat' {
  const jStat: {
    studentt: {
      cdf(x: number, dof: number): number;
      inv(p: number, dof: number): number;
    };
  };
  export default jStat;
}
