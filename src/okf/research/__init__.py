"""Keyword research over a corpus: intent, corpus keyword table, clusters, gap, exports.

Works on per-document results (id, url, title, lang, keywords), whatever produced them
(the extraction path over a list of documents, or the batch engine's output rows), and
knows no HTTP.
"""
