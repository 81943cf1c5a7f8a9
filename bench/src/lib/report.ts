// Tables of results, for the terminal and for Markdown.
import type { CaseResult, ScenarioResult } from './runner.js'

/** A number with thousands separators and a fixed number of decimals; `–` when not a number. */
export function formatNumber(value: number | undefined, digits = 0): string {
  if (value === undefined || !Number.isFinite(value)) return '–'
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  })
}

function ratioCell(c: CaseResult): string {
  if (c.ratio === undefined) return ''
  const { median, min, max } = c.ratio
  if (c.floor || min === max) return median.toFixed(2)
  return `${median.toFixed(2)} (${min.toFixed(2)}–${max.toFixed(2)})`
}

interface Table {
  title: string | undefined
  header: string[]
  rows: string[][]
}

/** One table per variant (one in all for a scenario without variants). */
export function tablesOf(result: ScenarioResult): Table[] {
  const variants = result.variants ?? [undefined]
  return variants.map((variant) => {
    const header = ['contestant', ...result.columns.map((c) => c.label)]
    if (result.ratio !== undefined) header.push(result.ratio.label)
    const rows = result.cases
      .filter((c) => c.variant === variant?.id)
      .map((c) => {
        const blank = header.slice(2).map(() => '')
        if (c.na !== undefined) return [c.name, `n/a: ${c.na}`, ...blank]
        if (c.reps.length === 0) {
          const first = (c.errors[0] ?? 'no result').split('\n')[0]!
          return [c.name, `failed: ${first}`, ...blank]
        }
        const cells = result.columns.map((col) => formatNumber(c.median[col.key], col.digits))
        if (result.ratio !== undefined) cells.push(ratioCell(c))
        return [c.name, ...cells]
      })
    return { title: variant?.title, header, rows }
  })
}

/** Prints a scenario's tables, columns aligned. */
export function printScenario(result: ScenarioResult): void {
  console.log(`\n== ${result.title} (${result.id}) ==`)
  console.log(result.workload)
  console.log(
    `${result.reps} repetition(s), each a fresh process; medians over repetitions; ${(result.durationMs / 1000).toFixed(0)} s`,
  )
  for (const table of tablesOf(result)) {
    if (table.title !== undefined) console.log(`\n${table.title}`)
    const measured = table.rows.filter(
      (r) => !r[1]!.startsWith('n/a') && !r[1]!.startsWith('failed'),
    )
    const widths = table.header.map((h, i) =>
      Math.max(h.length, ...measured.map((r) => r[i]!.length)),
    )
    const line = (cells: string[]): string =>
      cells
        .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
        .join('  ')
    console.log(line(table.header))
    for (const row of table.rows) {
      if (row[1]!.startsWith('n/a') || row[1]!.startsWith('failed'))
        console.log(`${row[0]!.padEnd(widths[0]!)}  ${row[1]}`)
      else console.log(line(row))
    }
  }
  for (const c of result.cases)
    for (const error of new Set(c.errors))
      console.log(`\n${c.name}${c.variant ? ` (${c.variant})` : ''} failed:\n${error}`)
}

/** A scenario's tables in Markdown. */
export function markdownTables(result: ScenarioResult): string {
  const escape = (cell: string): string => cell.replace(/\|/g, '\\|')
  return tablesOf(result)
    .map((table) => {
      const lines: string[] = []
      if (table.title !== undefined) lines.push(`**${table.title}**`, '')
      lines.push(`| ${table.header.map(escape).join(' | ')} |`)
      lines.push(`|${table.header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`)
      for (const row of table.rows) lines.push(`| ${row.map(escape).join(' | ')} |`)
      return lines.join('\n')
    })
    .join('\n\n')
}
