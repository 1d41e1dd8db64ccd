"""Small hand-written sites for the research tests (texts written for okf, not copied).

"yours": a Brazilian shop blog about notebooks and SEO, where two pages fight over
"SEO técnico" (cannibalization). "theirs": a competitor covering notebooks and also
monitors and keyboards, topics the first site never mentions (content gap).
"""

from __future__ import annotations

YOURS = {
    "seo-tecnico.md": """# SEO técnico: o guia para lojas virtuais

O SEO técnico cuida do que o buscador lê antes do conteúdo. Uma auditoria de SEO técnico
começa pelo sitemap, pelo arquivo robots e pela velocidade do site.

## O que é SEO técnico?

SEO técnico é a parte do SEO que trata de rastreamento, indexação e velocidade do site.
Sem SEO técnico, o melhor conteúdo continua invisível.

## Como medir a velocidade do site?

Ferramentas gratuitas medem a velocidade do site e apontam imagens pesadas.
""",
    "checklist-seo.md": """# Checklist de SEO técnico para 2026

Este checklist de SEO técnico resume a auditoria que fazemos todo mês. Revise o sitemap,
as tags canônicas e os links internos. O SEO técnico também olha os dados estruturados.

Por que os links internos importam? Eles mostram ao buscador quais páginas são centrais.
""",
    "notebook-programar.md": """# Melhor notebook para programar

Escolher um notebook para programar exige memória RAM de sobra e um bom processador.
Um notebook com 16 GB de memória RAM compila projetos grandes sem travar.

## Qual processador escolher?

O processador define o tempo de compilação. Notebooks com processador de oito núcleos
aguentam máquinas virtuais e containers.
""",
    "notebook-barato.md": """# Notebook barato para estudantes

Um notebook barato ainda pode ter SSD e memória RAM suficiente. Notebooks baratos com SSD
ligam rápido e aguentam o dia de aula. Vale a pena comprar notebook barato usado?
Depende da bateria e do SSD.
""",
}

THEIRS = {
    "monitor-ultrawide.md": """# Monitor ultrawide para trabalho

Um monitor ultrawide substitui dois monitores. O monitor ultrawide de 34 polegadas mostra
duas janelas lado a lado. Qual monitor ultrawide comprar? Procure taxa de atualização
alta e painel IPS.
""",
    "monitor-4k.md": """# Monitor 4K ou monitor ultrawide?

O monitor 4K tem mais densidade de pixels; o monitor ultrawide tem mais área. Para edição
de vídeo, o monitor 4K ganha. Para planilhas, o monitor ultrawide rende mais.
""",
    "teclado-mecanico.md": """# Teclado mecânico: vale a pena?

O teclado mecânico dura mais e tem resposta firme. Switches azuis fazem barulho; switches
vermelhos são silenciosos. Um teclado mecânico sem fio libera a mesa.
""",
    "notebook-programar.md": """# Notebook para programar em 2026

Notebook para programar precisa de memória RAM e SSD rápido. Um notebook com 32 GB de
memória RAM roda containers e máquinas virtuais com folga.
""",
}
