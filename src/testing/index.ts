/** `constrain/testing`: the slow reference oracle for IR grammars, for tests of code built on constrain. */
export { GrammarOracle, type OracleChart } from './oracle.js';
