CREATE DATABASE meridian_control;
