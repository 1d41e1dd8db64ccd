"""okf.bench"""
