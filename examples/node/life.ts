// Conway's game of life on a small torus. The board is state a restart would lose:
// run it under hotframe and edit render() or rules() while it runs.

type Board = boolean[][];

const SIZE = 12;

class Life {
  generation = 0;
  board: Board;

  constructor(seed: Array<[number, number]>) {
    this.board = Array.from({ length: SIZE }, () => Array<boolean>(SIZE).fill(false));
    for (const [row, col] of seed) this.board[row][col] = true;
  }

  step(): void {
    const next = this.board.map((row, r) => row.map((alive, c) => rules(alive, this.neighbours(r, c))));
    this.board = next;
    this.generation++;
  }

  neighbours(row: number, col: number): number {
    let count = 0;
    for (let dr = -1; dr <= 1; dr++) {
      for (let dc = -1; dc <= 1; dc++) {
        if ((dr || dc) && this.board[(row + dr + SIZE) % SIZE][(col + dc + SIZE) % SIZE]) count++;
      }
    }
    return count;
  }

  population(): number {
    return this.board.flat().filter(Boolean).length;
  }
}

function rules(alive: boolean, neighbours: number): boolean {
  return neighbours === 3 || (alive && neighbours === 2);
}

function render(life: Life): string {
  const cells = life.board[5].map((alive) => (alive ? "#" : ".")).join("");
  return `generation ${String(life.generation).padStart(3)}: population ${life.population()}  row 5 ${cells}`;
}

const life = new Life([[1, 2], [2, 3], [3, 1], [3, 2], [3, 3], [6, 6], [6, 7], [6, 8]]);
const interval = Number(process.argv[2] ?? 500);
const timer = setInterval(() => {
  life.step();
  console.log(render(life));
}, interval);

process.on("SIGINT", () => {
  clearInterval(timer);
  console.log(`stopped at generation ${life.generation}`);
});
