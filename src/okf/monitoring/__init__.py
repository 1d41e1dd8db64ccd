"""okf.monitoring"""
