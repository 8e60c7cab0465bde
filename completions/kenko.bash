# bash completion for kenko — commands, each command's options (read from
# `kenko CMD --help`, so they are always the ones the installed kenko
# accepts), the values of --format, .kenko files for RULES and data files
# for DATA.
_kenko() {
  local cur prev cmd words_before i
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD - 1]}
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "$(kenko help 2>/dev/null | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p') --help --version" -- "$cur"))
    return 0
  fi
  cmd=${COMP_WORDS[1]}
  case $prev in
  --format)
    local formats
    formats=$(kenko "$cmd" --help 2>/dev/null | sed -n 's/^  --format \([a-z|]*\).*/\1/p' | tr '|' ' ')
    COMPREPLY=($(compgen -W "$formats" -- "$cur"))
    return 0
    ;;
  --input-format)
    COMPREPLY=($(compgen -W "csv yaml json jsonl" -- "$cur"))
    return 0
    ;;
  --encoding | --output-encoding)
    COMPREPLY=($(compgen -W "utf-8 cp932" -- "$cur"))
    return 0
    ;;
  --by)
    COMPREPLY=($(compgen -W "persona segment input" -- "$cur"))
    return 0
    ;;
  --dialect)
    COMPREPLY=($(compgen -W "postgres duckdb" -- "$cur"))
    return 0
    ;;
  --html | --xlsx | --output | --data)
    COMPREPLY=($(compgen -f -- "$cur"))
    return 0
    ;;
  --include-root)
    COMPREPLY=($(compgen -d -- "$cur"))
    return 0
    ;;
  --as-of | --account | --from | --to | --git | --limit | --outcome | --na | --delimiter | --thousands | --digits | --table)
    return 0
    ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(kenko "$cmd" --help 2>/dev/null | sed -n 's/^  \(-[-a-z]*\).*/\1/p') --help" -- "$cur"))
    return 0
  fi
  # the first file argument is the rules, the rest data (test and fmt: rules only)
  words_before=0
  for ((i = 2; i < COMP_CWORD; i++)); do
    case ${COMP_WORDS[i]} in
    -*) ;;
    *) words_before=$((words_before + 1)) ;;
    esac
  done
  if [ "$words_before" -eq 0 ] || [ "$cmd" = test ] || [ "$cmd" = fmt ] || [ "$cmd" = check ] || [ "$cmd" = sql ]; then
    COMPREPLY=($(compgen -f -X '!*.kenko' -- "$cur") $(compgen -d -- "$cur"))
  else
    local f
    COMPREPLY=()
    while IFS= read -r f; do
      case $f in
      *.csv | *.CSV | *.yaml | *.yml | *.json | *.jsonl) COMPREPLY+=("$f") ;;
      esac
    done < <(compgen -f -- "$cur")
    COMPREPLY+=($(compgen -d -- "$cur"))
  fi
  return 0
}
complete -o filenames -F _kenko kenko
