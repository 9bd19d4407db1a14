"""Running a recipe's plan: launching its searches through an executor and preparing the inputs
they need.
"""
